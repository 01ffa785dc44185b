"""Queries for health checks and metrics: small, read-only, and cheap on big tables.

Each one reads a state index (`ix_inbox_state_update`, `ix_outbox_due`, `ix_escalation_open`,
`uq_sweep_run_job_day`) by its leading column, and takes the oldest row with LIMIT 1, so finished
rows (sent messages, done updates, resolved escalations) are never scanned however many pile up.
Only the rows still waiting are counted: a backlog, or escalations still in someone's hands.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, literal
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from storage.inbox_models import APPLIED, InboxUpdate
from storage.inbox_models import PENDING as INBOX_PENDING
from storage.outbox_models import FAILED, PENDING, UNDELIVERABLE, OutboxMessage, SweepRun
from storage.visit_models import Escalation

OPEN, ACKNOWLEDGED = "open", "acknowledged"  # the states of an escalation still in someone's hands


class Backlog(NamedTuple):
    """How many rows wait, and when the one that waited longest started waiting."""

    size: int
    oldest: datetime | None


class OpenEscalation(NamedTuple):
    """An escalation nobody acknowledged yet: when it was raised and when its level is due."""

    level: str
    raised_at: datetime
    due_by: datetime


class EscalationGroup(NamedTuple):
    """Escalations still in someone's hands, counted by state, level and urgency."""

    state: str
    level: str
    urgent: bool
    total: int
    oldest_raised_at: datetime


class LastSweep(NamedTuple):
    """The newest day a daily job started, and when it finished (None: not yet)."""

    day: date
    started_at: datetime
    finished_at: datetime | None


def ping(*, session: Session) -> None:
    """Ask the database for nothing, to see that it answers."""
    session.exec(select(literal(1))).one()


def inbox_backlog(*, session: Session) -> Backlog:
    """Updates stored but not finished (pending, or applied without their done mark)."""
    count, oldest = 0, None
    for state in (INBOX_PENDING, APPLIED):
        count += session.exec(
            select(func.count()).select_from(InboxUpdate).where(col(InboxUpdate.state) == state)
        ).one()
        first = session.exec(
            select(col(InboxUpdate.received_at))
            .where(col(InboxUpdate.state) == state)
            .order_by(col(InboxUpdate.update_id))  # Telegram numbers updates in arrival order
            .limit(1)
        ).first()
        if first is not None and (oldest is None or first < oldest):
            oldest = first
    return Backlog(count, oldest)


def outbox_count(*, session: Session, state: str) -> int:
    """How many outbox rows are in one state (pending or sending; never the sent ones)."""
    statement = (
        select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.state) == state)
    )
    return int(session.exec(statement).one())


def outbox_oldest_due(*, session: Session, now: datetime) -> datetime | None:
    """When the pending row that has waited longest for its send became due."""
    statement = (
        select(col(OutboxMessage.not_before))
        .where(col(OutboxMessage.state) == PENDING, col(OutboxMessage.not_before) <= now)
        .order_by(col(OutboxMessage.not_before))
        .limit(1)
    )
    return session.exec(statement).first()


def outbox_failed_since(*, session: Session, since: datetime) -> int:
    """Rows given up on (refused, or the recipient unreachable) whose last try was due since.

    A given-up row keeps the due time of its last attempt, which is the time it failed to
    within one back-off; counting by it keeps this on the (state, not_before) index.
    """
    statement = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            col(OutboxMessage.state).in_((FAILED, UNDELIVERABLE)),
            col(OutboxMessage.not_before) >= since,
        )
    )
    return int(session.exec(statement).one())


def oldest_open_urgent_escalation(*, session: Session) -> OpenEscalation | None:
    """The urgent escalation raised longest ago that nobody acknowledged yet."""
    statement = (
        select(col(Escalation.level), col(Escalation.raised_at), col(Escalation.due_by))
        .where(col(Escalation.state) == OPEN, col(Escalation.urgent).is_(True))
        .order_by(col(Escalation.raised_at))
        .limit(1)
    )
    row = session.exec(statement).first()
    return OpenEscalation(*row) if row is not None else None


def escalation_groups(*, session: Session) -> list[EscalationGroup]:
    """Open and acknowledged escalations by state, level and urgency, with the oldest of each."""
    statement = (
        select_columns(  # five columns: more than sqlmodel's select types
            col(Escalation.state),
            col(Escalation.level),
            col(Escalation.urgent),
            func.count(),
            func.min(col(Escalation.raised_at)),
        )
        .where(col(Escalation.state).in_((OPEN, ACKNOWLEDGED)))
        .group_by(col(Escalation.state), col(Escalation.level), col(Escalation.urgent))
    )
    return [EscalationGroup(*row) for row in session.execute(statement).all()]


def last_sweep(*, session: Session, job: str) -> LastSweep | None:
    """The newest day this daily job started, finished or not."""
    statement = (
        select(col(SweepRun.day), col(SweepRun.started_at), col(SweepRun.finished_at))
        .where(col(SweepRun.job) == job)
        .order_by(col(SweepRun.day).desc())
        .limit(1)
    )
    row = session.exec(statement).first()
    return LastSweep(*row) if row is not None else None
