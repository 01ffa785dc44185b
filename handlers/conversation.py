"""Which form typed text answers: only the one whose question the bot asked last.

Using a menu item, a command or any button but a form's pauses the form whose question was in
front, before the update's own handler runs; after it the bot offers to continue that form
(unless the update opened a form, which is in front now). Typed text is no answer to a paused
form: its Continue button brings the question back.
"""

from __future__ import annotations

from telegram import Update

from bot.forms import callbacks, service
from bot.telegram.context import BotContext
from handlers.forms import show
from handlers.menu import menu_item_of


def _uses_something_else(update: Update, context: BotContext) -> bool:
    """Tell whether the update uses the bot for something other than a form's question."""
    query = update.callback_query
    if query is not None:
        return not (query.data and callbacks.PATTERN.match(query.data))
    message = update.effective_message
    if message is None or not message.text:
        return False  # a photo, voice note or location may answer the form in front
    text = message.text.strip()
    return text.startswith("/") or menu_item_of(context, text) is not None


async def pause_form_in_front(update: Update, context: BotContext) -> None:
    """Pause the form whose question is in front when the update uses something else."""
    caller = context.caller
    if caller is None or not _uses_something_else(update, context):
        return
    screen = await context.services.db.run(lambda s: service.pause(session=s, caller=caller))
    if screen.kind != "none":
        context.paused = screen


async def offer_to_continue(update: Update, context: BotContext) -> None:
    """After the update's reply, offer to continue the form it paused (Continue / Discard)."""
    if context.paused is not None and not context.form_shown:
        await show(update, context, context.paused)
