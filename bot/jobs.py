"""Repeating jobs: deliver the outbox (and, later, move escalations on and send reminders)."""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from bot.sender import deliver_due

log = logging.getLogger(__name__)


async def deliver_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send what is due in the outbox; a failure is logged and retried at the next run."""
    services = context.application.bot_data["services"]
    try:
        await deliver_due(context.bot, services)
    except Exception as error:  # the job must survive a database hiccup
        log.error("outbox delivery failed: %s", type(error).__name__)
