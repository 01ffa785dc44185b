"""What waits in the database, read in one short transaction for health checks and metrics."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.reminders.sweep import JOB as SWEEP_JOB
from storage import ops_queries
from storage.ops_queries import Backlog, EscalationGroup, LastSweep, OpenEscalation
from storage.outbox_models import PENDING, SENDING

FAILED_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class OpsState:
    """The backlogs, escalations and last sweep as the database had them at `now`."""

    now: datetime
    latency: float  # seconds the database took to answer a trivial query
    inbox: Backlog
    outbox_pending: int
    outbox_sending: int
    outbox_oldest_due: datetime | None
    outbox_failed_last_hour: int
    oldest_urgent: OpenEscalation | None
    escalations: list[EscalationGroup]
    last_sweep: LastSweep | None


def read_state(session: Session, now: datetime) -> OpsState:
    """Read everything the health check and the metrics show, each from a state index."""
    started = time.perf_counter()
    ops_queries.ping(session=session)
    latency = time.perf_counter() - started
    return OpsState(
        now=now,
        latency=latency,
        inbox=ops_queries.inbox_backlog(session=session),
        outbox_pending=ops_queries.outbox_count(session=session, state=PENDING),
        outbox_sending=ops_queries.outbox_count(session=session, state=SENDING),
        outbox_oldest_due=ops_queries.outbox_oldest_due(session=session, now=now),
        outbox_failed_last_hour=ops_queries.outbox_failed_since(
            session=session, since=now - FAILED_WINDOW
        ),
        oldest_urgent=ops_queries.oldest_open_urgent_escalation(session=session),
        escalations=ops_queries.escalation_groups(session=session),
        last_sweep=ops_queries.last_sweep(session=session, job=SWEEP_JOB),
    )


def age(since: datetime | None, now: datetime) -> float | None:
    """Seconds from `since` to `now` (never negative), or None when there is nothing."""
    if since is None:
        return None
    return max(0.0, (now - since).total_seconds())
