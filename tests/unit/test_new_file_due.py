"""A new file owes no visit for the period it was filed in: filed on the 31st, the director is
not told of an overdue visit the next morning."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from bot.care.children import create_child
from bot.forms.engine import relevant_answers
from bot.forms.intake import INTAKE
from storage.child_models import Child
from storage.db import Database
from tests.support.ids import resident_id
from tests.support.seed import VILLAGE, enrol_caller, seed_region
from tests.unit.test_reminders import run

OCTOBER_31 = date(2026, 10, 31)


def _answers() -> dict[str, object]:
    answers = {
        "child_name": "张小明",
        "child_id": resident_id(birth="20150305", sequence="123"),
        "child_id_confirm": True,
        "ethnicity": "han",
        "home_address": "溪头村 12 号",
        "hukou": "rural",
        "category": "difficulty",
        "difficulty_type": ["poverty"],
        "single_parent": "no",
        "schooling": "primary",
        "boarding": "day",
        "guardianship": "fair",
        "health": ["healthy"],
        "assistance": ["none"],
        "father_special": ["none"],
        "father_health": "healthy",
        "mother_special": ["none"],
        "mother_health": "healthy",
        "family_subsidies": ["none"],
        "risk_tier": "high",
        "need_kinds": ["none"],
        "visited_today": False,
    }
    return relevant_answers(INTAKE, answers)


def test_child_filed_on_the_31st__no_overdue_visit_the_next_day(db: Database) -> None:
    seed_region(db)
    director = enrol_caller(db, "director", VILLAGE, 1001)
    filed_at = datetime(2026, 10, 31, 9, 0, tzinfo=UTC)
    db.call(
        lambda s: create_child(
            session=s, caller=director, answers=_answers(), now=filed_at, today=OCTOBER_31
        )
    )
    child = db.call(lambda s: s.exec(select(Child)).one())
    assert child.next_visit_due == date(2026, 11, 30)
    assert run(db, date(2026, 11, 1), dry_run=True).digests == []
    # A week before the end of November it is due, and not before.
    due = run(db, date(2026, 11, 23), dry_run=True)
    assert [d.kind for d in due.digests] == ["director"]
