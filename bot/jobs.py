"""Repeating jobs: deliver the outbox, move escalations on, send the daily reminders.

A failed run is logged with its traceback (types and frames, never messages, which can quote
personal data) and tried again at the next run.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from telegram.ext import ContextTypes

from bot.ops import metrics
from bot.telegram.sender import Delivery, deliver_due
from bot.tracebacks import stack_without_messages

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
# Every job is "catch up until done": each run asks the database what is due or overdue, so a
# database outage delays a job's work but never skips it. The reminder job ticks this often.
REMINDER_TICK = timedelta(seconds=30)
ESCALATION_TICK = timedelta(seconds=30)  # the SLA check: everything overdue moves at once


async def deliver_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send what is due in the outbox; a failure is logged and retried at the next run."""
    services = context.application.bot_data["services"]
    assert context.job is not None and isinstance(context.job.data, Delivery)
    try:
        await deliver_due(context.bot, services, context.job.data)
    except Exception as error:  # the job must survive a database hiccup
        log.error("outbox delivery failed: %s", stack_without_messages(error))


async def move_overdue_escalations(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send escalations nobody acknowledged within the SLA up the ladder; chase owners."""
    from bot.care.escalations import chase_acknowledged, move_overdue, weekly_rollups

    services = context.application.bot_data["services"]
    now = services.clock()
    try:
        await services.db.run(
            lambda s: move_overdue(session=s, now=now, policy=services.escalation)
        )
        await services.db.run(
            lambda s: chase_acknowledged(session=s, now=now, policy=services.escalation)
        )
        await services.db.run(
            lambda s: weekly_rollups(session=s, now=now, policy=services.escalation)
        )
    except Exception as error:  # the job must survive a database hiccup
        log.error("escalation sweep failed: %s", stack_without_messages(error))


async def send_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run today's reminder sweep once it is time, unless it ran: the database says which.

    It ticks every `REMINDER_TICK`, so a day whose reminder time fell in an outage (or while the
    bot was down) is swept at the first tick the database answers.
    """
    from bot.reminders.sweep import sweep_in_chunks

    services = context.application.bot_data["services"]
    settings = services.settings
    now = services.clock()
    local = now.astimezone(settings.timezone)
    if local.time() < settings.reminder_clock:
        return
    started = time.perf_counter()
    try:
        # Many short transactions of its own, off the event loop.
        result = await asyncio.to_thread(
            lambda: sweep_in_chunks(
                db=services.db,
                today=local.date(),
                now=now,
                tz=settings.timezone,
                quiet=settings.quiet_hours,
                clock=services.clock,
            )
        )
    except Exception as error:  # the job must survive a database hiccup
        log.error("reminder sweep failed: %s", stack_without_messages(error))
        return
    if result.ran:
        metrics.sweep_took(started)
        log.info("reminder sweep for %s queued %d digests", local.date(), result.count)
    await _deadline_step(services, local.date(), now)


async def _deadline_step(services: Services, today: date, now: datetime) -> None:
    """The sweep's step for report deadlines (once a day of its own, catch up if missed)."""
    from bot.county.deadlines import day_due, due_soon, queue_deadline_reminders

    if not due_soon(today):
        return
    settings = services.settings
    try:
        if not await services.db.run_read(lambda s: day_due(session=s, today=today, now=now)):
            return
        count = await services.db.run(
            lambda s: queue_deadline_reminders(
                session=s,
                today=today,
                now=now,
                tz=settings.timezone,
                quiet=settings.quiet_hours,
            )
        )
    except Exception as error:  # the job must survive a database hiccup
        log.error("deadline reminders failed: %s", stack_without_messages(error))
        return
    if count:
        log.info("deadline reminders for %s queued %d", today, count)


ROLLUP_TICK = timedelta(minutes=1)


async def send_monthly_rollups(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue the month's statistics roll-ups once their day and hour have come, unless queued.

    Like the reminders it ticks and asks the database, so a first working day spent in an
    outage is caught up later in the month; quiet hours hold the messages until morning.
    """
    from bot.oversight.rollup import queue_rollups
    from bot.reminders.sweep import quiet_until

    services = context.application.bot_data["services"]
    settings = services.settings
    now = services.clock()
    local = now.astimezone(settings.timezone)
    if not settings.stats_rollup or local.time() < settings.reminder_clock:
        return
    try:
        count = await asyncio.to_thread(
            lambda: queue_rollups(
                db=services.db,
                today=local.date(),
                now=now,
                tz=settings.timezone,
                not_before=quiet_until(local, settings.quiet_hours),
            )
        )
    except Exception as error:  # the job must survive a database hiccup
        log.error("monthly roll-up failed: %s", stack_without_messages(error))
        return
    if count is not None:
        log.info("monthly statistics roll-up for %s queued %d messages", local.date(), count)


DRAFT_RETENTION_TICK = timedelta(hours=6)


async def delete_old_drafts(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete finished and discarded drafts past DRAFT_RETENTION_DAYS: they hold personal data."""
    from bot import keys

    services = context.application.bot_data["services"]
    now = services.clock()
    try:
        count = await asyncio.to_thread(
            lambda: keys.delete_old_drafts(
                db=services.db, now=now, retention=services.settings.draft_retention
            )
        )
    except Exception as error:  # the job must survive a database hiccup
        log.error("draft retention failed: %s", stack_without_messages(error))
        return
    if count:
        log.info("deleted %d finished drafts past retention", count)
