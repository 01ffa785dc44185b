"""Polite answers to whatever the bot does not expect."""

from __future__ import annotations

from telegram import Update

from bot.telegram.context import BotContext
from handlers import forms
from handlers.replies import menu_keyboard, say


async def unknown_command(update: Update, context: BotContext) -> None:
    """Answer a command the bot does not know."""
    caller = context.caller
    assert caller is not None
    t = context.translate
    await say(update, context, t("fallback.unknown_command"), reply_markup=menu_keyboard(caller, t))


async def unsupported_message(update: Update, context: BotContext) -> None:
    """Give media to a form that asks for it; answer anything else politely."""
    caller = context.caller
    assert caller is not None
    if await forms.answer_media(update, context):
        return
    t = context.translate
    await say(update, context, t("fallback.unsupported"), reply_markup=menu_keyboard(caller, t))


async def stale_button(update: Update, context: BotContext) -> None:
    """Answer a button press that no longer means anything."""
    query = update.callback_query
    assert query is not None
    await query.answer(context.translate.plain("fallback.stale_button"))
