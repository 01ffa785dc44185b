"""Figures of a year's progress report: open files, visits, escalations, in an area."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.child_models import Child
from storage.visit_models import Escalation, Visit


class FileForCadence(NamedTuple):
    child_id: int
    village_code: str
    risk_tier: str
    filed_at: datetime


def open_files_for_cadence(*, session: Session, area_prefix: str) -> list[FileForCadence]:
    rows = session.exec(
        select(Child.id, Child.village_code, Child.risk_tier, Child.filed_at)
        .where(col(Child.village_code).startswith(area_prefix), col(Child.closed).is_(False))
        .order_by(col(Child.id))
    ).all()
    return [FileForCadence(i or 0, v, tier, filed) for i, v, tier, filed in rows]


def visits_between(
    *, session: Session, area_prefix: str, first: date, last: date
) -> list[tuple[int, str, date]]:
    """(child, kind, day) of every visit to a child of the area between two days."""
    rows = session.exec(
        select(col(Visit.child_id), col(Visit.kind), col(Visit.visited_on))
        .join(Child, col(Child.id) == col(Visit.child_id))
        .where(
            col(Child.village_code).startswith(area_prefix),
            col(Visit.visited_on) >= first,
            col(Visit.visited_on) <= last,
        )
    ).all()
    return [(child, kind, day) for child, kind, day in rows]


def escalations_by_village(
    *, session: Session, area_prefix: str, first: datetime, last: datetime
) -> Counter[str]:
    """Escalations raised in an area between two instants, per village."""
    rows = session.exec(
        select(Escalation.village_code, func.count())
        .where(
            col(Escalation.village_code).startswith(area_prefix),
            col(Escalation.raised_at) >= first,
            col(Escalation.raised_at) < last,
        )
        .group_by(col(Escalation.village_code))
    ).all()
    return Counter({village: count for village, count in rows})
