"""Due visits (directors) and overdue children (supervisors and admins), on demand."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update

from bot.people.roles import Action, may
from bot.reminders.sweep import DUE_WITHIN, due_items, due_message
from bot.reply import Reply
from bot.telegram.context import BotContext
from handlers.forms import keyboard
from handlers.replies import say


async def show_due(update: Update, context: BotContext) -> None:
    """List what is due within a week or overdue in the caller's area, most urgent first."""
    caller = context.caller
    assert caller is not None
    today = context.today()
    # Who may report visits sees what is due, with buttons; the others only what is overdue.
    overdue_only = not may(caller.role, Action.LIST_DUE)
    horizon = today - timedelta(days=1) if overdue_only else today + DUE_WITHIN
    items = await context.services.db.run(
        lambda s: due_items(session=s, area_prefix=caller.area_prefix, horizon=horizon, today=today)
    )
    message = due_message(items, context.translate, overdue_only=overdue_only)
    reply = Reply(message.text, message.buttons)
    await say(update, context, reply.text, reply_markup=keyboard(reply))
