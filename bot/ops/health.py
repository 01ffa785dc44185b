"""The health check: is the database there, does work pile up, did today's sweep run.

It answers 503 (unhealthy) when the database does not answer within `Limits.database_timeout`,
when the oldest unfinished update waited longer than `inbox_wait` (updates are not being
processed), when the outbox message due longest ago waited longer than `outbox_wait` (nothing
is being sent), or when today's sweep has not finished `sweep_late` after the reminder time (no
process runs the jobs). An urgent escalation nobody acknowledged is shown with its age but is
not a failure: the ladder moves it on, and people, not the service, are late. The numbers are
the deployment's (one database), so every process shows the same.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.ops.state import OpsState, age, read_state

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """How long work may wait before the check calls the service unhealthy."""

    inbox_wait: timedelta = timedelta(minutes=5)
    outbox_wait: timedelta = timedelta(minutes=15)
    sweep_late: timedelta = timedelta(hours=2)
    database_timeout: float = 5.0  # seconds


async def fetch_state(services: Services, timeout: float) -> OpsState | None:
    """Read the database's state, or None when it cannot be read in time."""
    now = services.clock()
    try:
        return await asyncio.wait_for(
            services.db.run_read(lambda session: read_state(session, now)), timeout
        )
    except Exception as error:  # unreachable, too slow, or not migrated: all mean "not there"
        log.warning("health check could not read the database (%s)", type(error).__name__)
        return None


def problems(state: OpsState, services: Services, limits: Limits) -> list[str]:
    """Name what is past its limit; an empty list means healthy."""
    found = []
    if _longer(state.inbox.oldest, state.now, limits.inbox_wait):
        found.append("inbox_backlog")
    if _longer(state.outbox_oldest_due, state.now, limits.outbox_wait):
        found.append("outbox_backlog")
    if _sweep_late(state, services, limits):
        found.append("sweep_late")
    return found


def report(
    state: OpsState | None, services: Services, limits: Limits
) -> tuple[int, dict[str, Any]]:
    """Build the HTTP status and the JSON body of /healthz."""
    if state is None:
        body: dict[str, Any] = {
            "status": "unhealthy",
            "problems": ["database_unreachable"],
            "checked_at": _iso(services.clock()),
            "database": {"reachable": False, "latency_ms": None},
            "inbox": None,
            "outbox": None,
            "escalations": None,
            "sweep": None,
        }
        return 503, body
    found = problems(state, services, limits)
    now = state.now
    urgent = state.oldest_urgent
    sweep = state.last_sweep
    body = {
        "status": "unhealthy" if found else "ok",
        "problems": found,
        "checked_at": _iso(now),
        "database": {"reachable": True, "latency_ms": round(state.latency * 1000, 2)},
        "inbox": {
            "pending": state.inbox.size,
            "oldest_age_seconds": _seconds(age(state.inbox.oldest, now)),
        },
        "outbox": {
            "pending": state.outbox_pending,
            "sending": state.outbox_sending,
            "oldest_due_age_seconds": _seconds(age(state.outbox_oldest_due, now)),
            "failed_last_hour": state.outbox_failed_last_hour,
        },
        "escalations": {
            "oldest_urgent_open_age_seconds": _seconds(age(urgent and urgent.raised_at, now)),
            "oldest_urgent_open_overdue_seconds": _seconds(age(urgent and urgent.due_by, now))
            if urgent is not None and urgent.due_by < now
            else None,
            "oldest_urgent_open_level": urgent.level if urgent is not None else None,
        },
        "sweep": None
        if sweep is None
        else {
            "day": sweep.day.isoformat(),
            "finished": sweep.finished_at is not None,
            "started_at": _iso(sweep.started_at),
            "finished_at": _iso(sweep.finished_at) if sweep.finished_at else None,
        },
    }
    return (503 if found else 200), body


def _longer(since: datetime | None, now: datetime, limit: timedelta) -> bool:
    return since is not None and now - since > limit


def _sweep_late(state: OpsState, services: Services, limits: Limits) -> bool:
    """Today's sweep should have finished by now, and has not."""
    settings = services.settings
    local_now = state.now.astimezone(settings.timezone)
    due = datetime.combine(local_now.date(), settings.reminder_clock, settings.timezone)
    if local_now < due + limits.sweep_late:
        return False
    sweep = state.last_sweep
    return sweep is None or sweep.day < local_now.date() or sweep.finished_at is None


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _iso(moment: datetime) -> str:
    return moment.isoformat()
