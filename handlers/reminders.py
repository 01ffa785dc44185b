"""The reminder digest's Snooze button."""

from __future__ import annotations

from telegram import Message, Update

from bot.telegram.callbacks import SNOOZE
from bot.telegram.context import BotContext
from handlers.forms import drop_buttons

SNOOZE_PATTERN = SNOOZE.pattern


async def snooze(update: Update, context: BotContext) -> None:
    """Put today's digest away; tomorrow's digest lists what is still due."""
    query = update.callback_query
    assert query is not None
    await query.answer(context.translate.plain("reminder.snoozed"))
    if isinstance(query.message, Message):
        await drop_buttons(context.bot, query.message)
