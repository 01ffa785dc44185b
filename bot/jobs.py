"""Repeating jobs: deliver the outbox, move escalations on, send the daily reminders.

A failed run is logged with its traceback (types and frames, never messages, which can quote
personal data) and tried again at the next run.
"""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from bot.telegram.sender import Delivery, deliver_due
from bot.tracebacks import stack_without_messages

log = logging.getLogger(__name__)


async def deliver_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send what is due in the outbox; a failure is logged and retried at the next run."""
    services = context.application.bot_data["services"]
    assert context.job is not None and isinstance(context.job.data, Delivery)
    try:
        await deliver_due(context.bot, services, context.job.data)
    except Exception as error:  # the job must survive a database hiccup
        log.error("outbox delivery failed: %s", stack_without_messages(error))


async def move_overdue_escalations(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send escalations nobody acknowledged within the SLA on to the county."""
    from bot.care.escalations import move_overdue

    services = context.application.bot_data["services"]
    now = services.clock()
    try:
        await services.db.run(
            lambda s: move_overdue(session=s, now=now, policy=services.escalation)
        )
    except Exception as error:  # the job must survive a database hiccup
        log.error("escalation sweep failed: %s", stack_without_messages(error))


async def send_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run today's reminder sweep if it is time and it has not run yet (it records each run)."""
    from bot.reminders.sweep import sweep

    services = context.application.bot_data["services"]
    settings = services.settings
    now = services.clock()
    local = now.astimezone(settings.timezone)
    if local.time() < settings.reminder_clock:
        return
    try:
        result = await services.db.run(
            lambda s: sweep(
                session=s,
                today=local.date(),
                now=now,
                tz=settings.timezone,
                quiet=settings.quiet_hours,
                collect=False,  # a big region's digests would all be held in memory otherwise
            )
        )
    except Exception as error:  # the job must survive a database hiccup
        log.error("reminder sweep failed: %s", stack_without_messages(error))
        return
    if result.ran:
        log.info("reminder sweep for %s queued %d digests", local.date(), result.count)
