"""Deadline reminders: admins are told ahead of 10 November (the city's spot-check summary to
the province) and 30 November (the progress report), with their area's figures prepared.

A step of the daily sweep with a day of its own (sweep_run job "deadlines"); each admin gets
each reminder once a year (the outbox key holds the year and the person), after quiet hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.county import progress
from bot.notify.notification import Notification
from bot.notify.outbox import Queued, enqueue_many
from bot.people.roles import Role
from bot.reminders.sweep import quiet_until
from storage import outbox_queries, recipient_queries, reminder_queries

JOB = "deadlines"
NOTICE = timedelta(days=14)  # how long before a deadline admins hear of it


@dataclass(frozen=True)
class Deadline:
    name: str  # spot_check or progress
    month: int
    day: int

    def due_in(self, year: int) -> date:
        return date(year, self.month, self.day)


DEADLINES = (Deadline("spot_check", 11, 10), Deadline("progress", 11, 30))


def due_soon(today: date) -> list[tuple[Deadline, date]]:
    """The deadlines whose notice period holds `today`."""
    found = []
    for deadline in DEADLINES:
        due = deadline.due_in(today.year)
        if due - NOTICE <= today <= due:
            found.append((deadline, due))
    return found


def day_due(*, session: Session, today: date, now: datetime) -> bool:
    """Whether today's deadline step has yet to run (a read, so idle ticks write nothing)."""
    return bool(due_soon(today)) and reminder_queries.day_due(
        session=session, job=JOB, day=today, now=now
    )


def queue_deadline_reminders(
    *,
    session: Session,
    today: date,
    now: datetime,
    tz: ZoneInfo,
    quiet: tuple[time, time] | None,
) -> int:
    """Queue today's deadline reminders, once a day; return how many went into the outbox."""
    soon = due_soon(today)
    if not soon or not reminder_queries.claim_day(
        session=session, job=JOB, day=today, started_at=now
    ):
        return 0
    not_before = quiet_until(now.astimezone(tz), quiet)
    admins = recipient_queries.enrolled_staff_by_unit(session=session, role=Role.ADMIN)
    messages: list[Queued] = []
    figures_of: dict[str, dict[str, int]] = {}
    for deadline, due in soon:
        keys = {
            person.id: f"deadline:{deadline.name}:{today.year}:{person.id}"
            for people in admins.values()
            for person in people
        }
        taken = outbox_queries.taken_keys(session=session, keys=keys.values())
        for org_code, people in sorted(admins.items()):
            waiting = [p for p in people if keys[p.id] not in taken]
            if not waiting:
                continue
            if org_code not in figures_of:
                report = progress.progress(
                    session=session, org_code=org_code, year=today.year, as_of=today, tz=tz
                )
                figures_of[org_code] = report.total.as_params()
            notice = Notification(
                "deadline.reminder",
                {
                    "deadline": deadline.name,
                    "due": due.isoformat(),
                    "days": (due - today).days,
                    "org": org_code,
                    "year": today.year,
                    "figures": figures_of[org_code],
                },
            )
            messages.extend(
                Queued(keys[p.id], p, notice, not_before, f"deadline:{today}") for p in waiting
            )
    return enqueue_many(session=session, messages=messages, now=now)
