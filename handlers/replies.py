"""Small reply helpers shared by the handlers."""

from __future__ import annotations

from telegram import Message, ReplyKeyboardMarkup, Update
from telegram.constants import ChatType

from bot.i18n import Translator
from bot.people.access import Caller
from bot.people.menu import menu_rows
from bot.telegram.context import BotContext


def menu_keyboard(caller: Caller, t: Translator) -> ReplyKeyboardMarkup:
    """Build the reply keyboard of the caller's role, in their language."""
    rows = [[t.plain(key) for key in row] for row in menu_rows(caller.role)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


async def say(update: Update, context: BotContext, text: str, **kwargs: object) -> Message | None:
    """Send a message to the chat the update came from."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await context.bot.send_message(chat.id, text, **kwargs)  # type: ignore[arg-type]


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE
