"""Statistics of an area as aggregate SQL: each figure is one GROUP BY, never a loop over rows.

Units are named by code prefixes (35 Fujian, 3501 Fuzhou, 350121 Minhou, ...), so the figures
of the units under an area are a GROUP BY on the first `unit_length` characters of a village
code. An area is a code range (`prefix <= code < prefix + ";"`, ";" sorting after "9"), which
the indexes on the code columns serve on SQLite and PostgreSQL alike, where LIKE would not.
Closed children are left out everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from storage.child_models import Child, FormSession
from storage.models import OrgUnit, Staff
from storage.visit_models import Escalation, EscalationEvent, Visit

AFTER_DIGITS = ";"  # the character after "9": prefix + it bounds every code under the prefix


def in_area(column: Any, area_prefix: str) -> ColumnElement[bool]:
    """The codes of `column` that lie under `area_prefix` (every code when it is empty)."""
    if not area_prefix:
        return literal(True)
    return and_(column >= area_prefix, column < area_prefix + AFTER_DIGITS)


def unit_prefix(column: Any, unit_length: int) -> Any:
    return func.substr(column, 1, unit_length)


class UnitRow(NamedTuple):
    code: str
    name: str
    level: str


def unit(*, session: Session, code: str) -> UnitRow | None:
    """One org unit by code, or None."""
    statement = select(col(OrgUnit.code), col(OrgUnit.name), col(OrgUnit.level)).where(
        col(OrgUnit.code) == code
    )
    row = session.connection().execute(statement).first()
    return UnitRow(*row) if row is not None else None


def parent_code(*, session: Session, code: str) -> str | None:
    """The code of a unit's parent, or None for the top or an unknown unit."""
    statement = select(col(OrgUnit.parent_code)).where(col(OrgUnit.code) == code)
    return session.connection().execute(statement).scalar_one_or_none()


def units_under(*, session: Session, code: str) -> list[UnitRow]:
    """The units directly under one, by code."""
    statement = (
        select(col(OrgUnit.code), col(OrgUnit.name), col(OrgUnit.level))
        .where(col(OrgUnit.parent_code) == code)
        .order_by(col(OrgUnit.code))
    )
    return [UnitRow(*row) for row in session.connection().execute(statement)]


class ChildCount(NamedTuple):
    unit: str
    category: str
    difficulty_type: str | None
    risk_tier: str
    children: int
    overdue: int
    recent: tuple[int, ...] = ()  # per window asked for: children seen since its start


@dataclass(frozen=True, order=True)
class Window:
    """Children whose latest visit of one of `kinds` (as stored on the child) is on or after
    `start`: a requirement of the period holding today is met by them."""

    kinds: tuple[str, ...]
    start: date

    def met(self) -> ColumnElement[bool]:
        latest = {"contact": col(Child.last_contact_on), "home_visit": col(Child.last_visit_on)}
        return or_(*(latest[kind] >= self.start for kind in self.kinds))


def _open_children(area_prefix: str, filed_before: datetime | None) -> list[ColumnElement[bool]]:
    conditions = [col(Child.closed).is_(False), in_area(col(Child.village_code), area_prefix)]
    if filed_before is not None:
        conditions.append(col(Child.filed_at) < filed_before)
    return conditions


def child_counts(
    *,
    session: Session,
    area_prefix: str,
    unit_length: int,
    today: date,
    filed_before: datetime | None = None,
    windows: Sequence[Window] = (),
) -> list[ChildCount]:
    """Open children by unit, category, kind of difficulty and risk tier, with how many of them
    have a visit overdue (a due date before today) and how many were seen within each window;
    only those filed before `filed_before` when it is given.

    Counted by village first, in the order of the covering index ix_child_stats (no sort of a
    million rows), then the villages' few rows are summed by unit.
    """
    overdue = or_(col(Child.next_contact_due) < today, col(Child.next_visit_due) < today)
    keys = (col(Child.category), col(Child.difficulty_type), col(Child.risk_tier))
    by_village = (
        select(
            col(Child.village_code).label("village"),
            *keys,
            func.count().label("children"),
            func.sum(case((overdue, 1), else_=0)).label("overdue"),
            *(
                func.sum(case((window.met(), 1), else_=0)).label(f"w{index}")
                for index, window in enumerate(windows)
            ),
        )
        .where(*_open_children(area_prefix, filed_before))
        .group_by(col(Child.village_code), *keys)
        .subquery()
    )
    unit_code = unit_prefix(by_village.c.village, unit_length)
    grouped = (by_village.c.category, by_village.c.difficulty_type, by_village.c.risk_tier)
    statement = select(
        unit_code,
        *grouped,
        func.sum(by_village.c.children),
        func.sum(by_village.c.overdue),
        *(func.sum(by_village.c[f"w{index}"]) for index in range(len(windows))),
    ).group_by(unit_code, *grouped)
    return [
        ChildCount(u, c, d, r, int(n), int(o or 0), tuple(int(w or 0) for w in recent))
        for u, c, d, r, n, o, *recent in session.connection().execute(statement)
    ]


@dataclass(frozen=True)
class Slot:
    """One visit a child of `tiers` owes: a visit of one of `kinds` between two days, counted
    towards `period` (a label such as "month" or "quarter")."""

    tiers: tuple[str, ...]
    kinds: tuple[str, ...]
    start: date
    end: date
    period: str = ""


class VisitsDone(NamedTuple):
    unit: str
    done: tuple[int, ...]  # per slot, in the order given


def visits_done(
    *,
    session: Session,
    area_prefix: str,
    unit_length: int,
    slots: Sequence[Slot],
    filed_before: datetime | None = None,
) -> list[VisitsDone]:
    """By unit, for each slot, the open children of its tiers with a fitting visit in its days.

    What is owed is known without the visits: the children of each slot's tiers (see
    `child_counts`).
    """
    if not slots:
        return []
    if session.connection().dialect.name != "sqlite":
        return _visits_done_by_join(session, area_prefix, unit_length, slots, filed_before)

    def done(slot: Slot) -> Any:
        visited = (
            select(literal(1))
            .where(
                col(Visit.child_id) == col(Child.id),
                col(Visit.visited_on) >= slot.start,
                col(Visit.visited_on) <= slot.end,
                col(Visit.kind).in_(slot.kinds),
            )
            .exists()
        )
        # The tier is tested first, so a child probes the visits only for slots it owes.
        return func.sum(case((col(Child.risk_tier).not_in(slot.tiers), 0), (visited, 1), else_=0))

    # By village first, in the order of the covering index (no sort of a million rows); each
    # child probes ix_visit_stats once per slot it owes.
    by_village = (
        select(
            col(Child.village_code).label("village"),
            *(done(slot).label(f"d{index}") for index, slot in enumerate(slots)),
        )
        .where(*_open_children(area_prefix, filed_before))
        .group_by(col(Child.village_code))
        .subquery()
    )
    unit_code = unit_prefix(by_village.c.village, unit_length)
    sums = [func.sum(by_village.c[f"d{index}"]) for index in range(len(slots))]
    statement = select(unit_code, *sums).group_by(unit_code)
    return [
        VisitsDone(row[0], tuple(int(n or 0) for n in row[1:]))
        for row in session.connection().execute(statement)
    ]


def _visits_done_by_join(
    session: Session,
    area_prefix: str,
    unit_length: int,
    slots: Sequence[Slot],
    filed_before: datetime | None,
) -> list[VisitsDone]:
    """`visits_done` as PostgreSQL does it best: the visits of the slots' span joined to their
    children (hash join, index-only scans), a row per child with a flag per slot, summed per
    unit. (SQLite has no hash join: there, probing each child's visits is faster.)"""
    first = min(slot.start for slot in slots)
    last = max(slot.end for slot in slots)
    flags = [
        func.max(
            case(
                (
                    and_(
                        col(Visit.kind).in_(slot.kinds),
                        col(Visit.visited_on) >= slot.start,
                        col(Visit.visited_on) <= slot.end,
                        col(Child.risk_tier).in_(slot.tiers),
                    ),
                    1,
                ),
                else_=0,
            )
        ).label(f"d{index}")
        for index, slot in enumerate(slots)
    ]
    by_child = (
        select(col(Child.village_code).label("village"), *flags)
        .select_from(Visit)
        .join(Child, col(Child.id) == col(Visit.child_id))
        .where(
            *_open_children(area_prefix, filed_before),
            col(Visit.visited_on) >= first,
            col(Visit.visited_on) <= last,
        )
        .group_by(col(Visit.child_id), col(Child.village_code))
        .subquery()
    )
    unit_code = unit_prefix(by_child.c.village, unit_length)
    sums = [func.sum(by_child.c[f"d{index}"]) for index in range(len(slots))]
    statement = select(unit_code, *sums).group_by(unit_code)
    return [
        VisitsDone(row[0], tuple(int(n or 0) for n in row[1:]))
        for row in session.connection().execute(statement)
    ]


class OpenEscalations(NamedTuple):
    unit: str
    level: str
    age_group: int  # the index of the first age limit the escalation is younger than; len if none
    escalations: int


def open_escalations(
    *,
    session: Session,
    area_prefix: str,
    unit_length: int,
    raised_after: Sequence[datetime],
) -> list[OpenEscalations]:
    """Escalations not resolved yet by unit, level and age: `raised_after` lists the raising
    times that bound the age groups, youngest first (age 0 raised after the first, ...)."""
    unit_code = unit_prefix(col(Escalation.village_code), unit_length)
    age = case(
        *((col(Escalation.raised_at) > limit, index) for index, limit in enumerate(raised_after)),
        else_=len(raised_after),
    )
    statement = (
        select(unit_code, col(Escalation.level), age, func.count())
        .where(
            col(Escalation.state) != "resolved",
            in_area(col(Escalation.village_code), area_prefix),
        )
        .group_by(unit_code, col(Escalation.level), age)
    )
    return [
        OpenEscalations(u, level, int(a), int(n))
        for u, level, a, n in session.connection().execute(statement)
    ]


def escalations_opened_closed(
    *, session: Session, area_prefix: str, start: datetime, end: datetime
) -> tuple[int, int]:
    """How many escalations of an area were raised, and how many resolved, in [start, end)."""
    opened = select(func.count()).where(
        in_area(col(Escalation.village_code), area_prefix),
        col(Escalation.raised_at) >= start,
        col(Escalation.raised_at) < end,
    )
    closed = (
        select(func.count())
        .select_from(EscalationEvent)
        .join(Escalation, col(Escalation.id) == col(EscalationEvent.escalation_id))
        .where(
            in_area(col(Escalation.village_code), area_prefix),
            col(EscalationEvent.action) == "resolved",
            col(EscalationEvent.at) >= start,
            col(EscalationEvent.at) < end,
        )
    )
    connection = session.connection()
    return int(connection.execute(opened).scalar_one()), int(
        connection.execute(closed).scalar_one()
    )


def drafts_in_progress(
    *, session: Session, area_prefix: str, unit_length: int, forms: Sequence[str]
) -> dict[str, int]:
    """Open drafts of the given forms (files not finished yet) by the unit of their author."""
    unit_code = unit_prefix(col(Staff.org_code), unit_length)
    statement = (
        select(unit_code, func.count())
        .select_from(FormSession)
        .join(Staff, col(Staff.id) == col(FormSession.staff_id))
        .where(
            col(FormSession.status) == "open",
            col(FormSession.form).in_(forms),
            in_area(col(Staff.org_code), area_prefix),
        )
        .group_by(unit_code)
    )
    return {u: int(n) for u, n in session.connection().execute(statement)}


def reviews_by_unit(
    *, session: Session, area_prefix: str, unit_length: int
) -> dict[tuple[str, str], int]:
    """Open files waiting for the supervisor's review or returned, by (unit, review state)."""
    unit_code = unit_prefix(col(Child.village_code), unit_length)
    statement = (
        select(unit_code, col(Child.review_state), func.count())
        .select_from(Child)
        .where(
            in_area(col(Child.village_code), area_prefix),
            col(Child.closed).is_(False),
            col(Child.review_state).is_not(None),
        )
        .group_by(unit_code, col(Child.review_state))
    )
    return {(u, str(state)): int(n) for u, state, n in session.connection().execute(statement)}


def names_of(*, session: Session, codes: Sequence[str]) -> dict[str, str]:
    """The names of units by code."""
    if not codes:
        return {}
    statement = select(col(OrgUnit.code), col(OrgUnit.name)).where(col(OrgUnit.code).in_(codes))
    return dict(session.connection().execute(statement).all())  # type: ignore[arg-type]
