"""Queries the daily sweep and the due lists read: children with visits falling due."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from storage.child_models import Child
from storage.outbox_models import SweepRun

ROWS_PER_FETCH = 5_000


def due_rows(*, session: Session, horizon: date, area_prefix: str) -> Iterable[Any]:
    """Open children of an area with a due date on or before `horizon`, village by village:
    (village code, id, name, risk tier, next contact due, next visit due), streamed."""
    statement = (
        select(
            col(Child.village_code),
            col(Child.id),
            col(Child.name),
            col(Child.risk_tier),
            col(Child.next_contact_due),
            col(Child.next_visit_due),
        )
        .where(
            col(Child.closed).is_(False),
            col(Child.village_code).startswith(area_prefix),
            (col(Child.next_contact_due) <= horizon) | (col(Child.next_visit_due) <= horizon),
        )
        .order_by(col(Child.village_code))
    )
    # Core on the session's connection: the ORM's per-row work doubled the time of this read.
    connection = session.connection()
    return connection.execute(statement, execution_options={"yield_per": ROWS_PER_FETCH})


def claim_day(*, session: Session, job: str, day: date, started_at: datetime) -> bool:
    """Record that a daily job runs for a day; False when it ran (or runs) already."""
    try:
        with session.begin_nested():
            session.add(SweepRun(job=job, day=day, started_at=started_at))
    except IntegrityError:
        return False
    return True
