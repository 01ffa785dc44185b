"""The error handler: log without personal data, tell the user something went wrong."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.telegram.context import BotContext
from bot.telegram.inbox import waits_in_inbox
from bot.tracebacks import stack_without_messages

log = logging.getLogger(__name__)


async def report_error(update: object, context: BotContext) -> None:
    """Log the error's type and stack (never its message or the update) and apologise."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if error is not None and waits_in_inbox(error):
        # The update stays in the inbox and runs again; the inbox tells the user once.
        log.warning("update %s waits: %s", update_id, type(error).__name__)
        return
    stack = stack_without_messages(error) if error else "no exception"
    log.error("error handling update %s: %s", update_id, stack)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(error, Forbidden):
        return
    try:
        await context.bot.send_message(update.effective_chat.id, context.translate("error.generic"))
    except TelegramError:
        log.warning("could not tell update %s about the error", update_id)
