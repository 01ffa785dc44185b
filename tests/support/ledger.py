"""A township's files with visits across the year, for the ledger export tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from bot.people.access import Caller
from storage.db import Database
from storage.visit_models import Escalation, EscalationMeasure, Visit, VisitProblem
from tests.support.formdriver import FormDriver
from tests.support.ids import resident_id
from tests.support.intake import LEFT_BEHIND, MULTI_CHOICE
from tests.support.seed import NEIGHBOUR_VILLAGE, OTHER_VILLAGE, VILLAGE, enrol_caller

TODAY = date(2026, 11, 2)


@dataclass(frozen=True)
class Filed:
    """Who filed what: ids by village, and the ID numbers typed in."""

    director: Caller
    village: list[int]  # two children in VILLAGE (白沙镇 溪头村)
    neighbour: int  # one in NEIGHBOUR_VILLAGE (白沙镇 上洋村)
    other: int  # one in OTHER_VILLAGE (南屿镇 南井村)
    id_numbers: dict[int, str]


def _file(db: Database, director: Caller, name: str, sequence: str) -> tuple[int, str]:
    id_number = resident_id(birth="20150305", sequence=sequence)
    answers = {**LEFT_BEHIND, "child_name": ("text", name), "child_id": ("text", id_number)}
    driver = FormDriver(db, director)
    driver.begin()
    driver.fill(answers, MULTI_CHOICE)
    child_id = driver.press("保存").record_id
    assert child_id is not None
    return child_id, id_number


def add_visit(
    db: Database,
    child_id: int,
    author: int,
    on: date,
    *,
    measures: str = "",
    problem: tuple[str, str] | None = None,
    kind: str = "home_visit",
) -> int:
    """Store a visit report directly (the visit form is tested elsewhere)."""
    now = datetime(on.year, on.month, on.day, 8, tzinfo=UTC)

    def work(session: object) -> int:
        visit = Visit(
            child_id=child_id,
            author_id=author,
            kind=kind,
            visited_on=on,
            met="child",
            seen_in_person=True,
            measures=measures or None,
            tier_before="medium",
            tier_after="medium",
            created_at=now,
            updated_at=now,
        )
        session.add(visit)  # type: ignore[attr-defined]
        session.flush()  # type: ignore[attr-defined]
        assert visit.id is not None
        if problem is not None:
            category, note = problem
            session.add(VisitProblem(visit_id=visit.id, category=category, note=note))  # type: ignore[attr-defined]
        return visit.id

    return db.call(work)


def raise_escalation(db: Database, child_id: int, visit_id: int, author: int, at: datetime) -> None:
    """Store an open escalation of a visit to a child of VILLAGE."""
    escalation = Escalation(
        child_id=child_id,
        visit_id=visit_id,
        village_code=VILLAGE,
        reason="疑似家庭暴力",
        raised_by=author,
        raised_at=at,
        due_by=at + timedelta(hours=24),
    )

    def add(session: Session) -> None:
        session.add(escalation)
        session.flush()
        assert escalation.id is not None
        # The director called the police an hour after raising it.
        session.add(
            EscalationMeasure(
                escalation_id=escalation.id,
                kind="police",
                informed_at=at + timedelta(hours=1),
                recorded_by=author,
            )
        )

    db.call(add)


def file_township(db: Database) -> Filed:
    """Four files in two townships, and visits to the first child in three quarters."""
    director = enrol_caller(db, "director", VILLAGE, 1001)
    neighbour_director = enrol_caller(db, "director", NEIGHBOUR_VILLAGE, 1002)
    other_director = enrol_caller(db, "director", OTHER_VILLAGE, 1003)
    first, first_id = _file(db, director, "张小明", "123")
    second, second_id = _file(db, director, "王小红", "124")
    neighbour, neighbour_id = _file(db, neighbour_director, "李小华", "125")
    other, other_id = _file(db, other_director, "陈小强", "127")
    author = director.staff_id
    add_visit(db, first, author, date(2026, 2, 1), measures="电话提醒家长")
    add_visit(
        db,
        first,
        author,
        date(2026, 3, 10),
        measures="联系学校老师辅导",
        problem=("schooling", "成绩下滑"),
    )
    add_visit(db, first, author, date(2026, 5, 20), measures="一切正常")
    add_visit(db, first, author, date(2026, 6, 2), kind="contact")  # a call: not a 走访
    add_visit(db, first, author, date(2025, 12, 30), measures="上一年")  # another year
    visit = add_visit(db, first, author, date(2026, 10, 8), measures="送去学习用品")
    raise_escalation(db, first, visit, author, datetime(2026, 10, 8, 2, 30, tzinfo=UTC))
    return Filed(
        director,
        [first, second],
        neighbour,
        other,
        {first: first_id, second: second_id, neighbour: neighbour_id, other: other_id},
    )
