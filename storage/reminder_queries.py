"""Queries the daily sweep and the due lists read: children with visits falling due."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from storage.child_models import Child, FormSession
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
    """Record that a daily job runs for a day in this transaction; False when it ran (or runs)
    already. The run counts as finished when this transaction commits."""
    try:
        with session.begin_nested():
            session.add(SweepRun(job=job, day=day, started_at=started_at, finished_at=started_at))
    except IntegrityError:
        return False
    return True


def day_due(*, session: Session, job: str, day: date, now: datetime) -> bool:
    """Tell whether a daily job still has to run for a day: never started, or started by a
    process that died (unfinished, its lease run out)."""
    statement = select(col(SweepRun.finished_at), col(SweepRun.lease_until)).where(
        col(SweepRun.job) == job, col(SweepRun.day) == day
    )
    row = session.execute(statement).first()
    if row is None:
        return True
    finished_at, lease_until = row
    return finished_at is None and _expired(lease_until, now)


def lease_day(*, session: Session, job: str, day: date, now: datetime, lease: timedelta) -> bool:
    """Take a day's run of a job for `lease`: a new run, or one whose process died mid-way.
    False when it finished, or another process holds it."""
    try:
        with session.begin_nested():
            session.add(SweepRun(job=job, day=day, started_at=now, lease_until=now + lease))
        return True
    except IntegrityError:
        pass
    statement = select(SweepRun).where(col(SweepRun.job) == job, col(SweepRun.day) == day)
    # Locked, so of two processes finding the same dead run only one takes it over: the other
    # waits, then reads the renewed lease.
    run = session.execute(statement.with_for_update()).scalars().first()
    if run is None or run.finished_at is not None or not _expired(run.lease_until, now):
        return False
    run.lease_until = now + lease
    return True


def renew_lease(*, session: Session, job: str, day: date, until: datetime) -> None:
    """Keep a running day's lease while its chunks commit."""
    session.execute(
        update(SweepRun)
        .where(col(SweepRun.job) == job, col(SweepRun.day) == day)
        .values(lease_until=until)
    )


def finish_day(*, session: Session, job: str, day: date, now: datetime, recipients: int) -> None:
    """Record that a day's run is complete: no later run does it again."""
    session.execute(
        update(SweepRun)
        .where(col(SweepRun.job) == job, col(SweepRun.day) == day)
        .values(finished_at=now, lease_until=None, recipients=recipients)
    )


def mark_drafts_mentioned(*, session: Session, draft_ids: Iterable[int]) -> None:
    """Mark drafts as named in a digest, so the next digest does not name them again."""
    ids = list(draft_ids)
    if ids:
        session.execute(
            update(FormSession).where(col(FormSession.id).in_(ids)).values(stale_mentioned=True)
        )


def _expired(lease_until: datetime | None, now: datetime) -> bool:
    return lease_until is None or lease_until <= now
