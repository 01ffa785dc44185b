"""Resolve who sent each update before any other handler runs; keep strangers out."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.access import identify
from bot.context import BotContext
from bot.i18n import N_
from handlers.replies import is_private, say


def _is_start_command(update: Update) -> bool:
    message = update.effective_message
    return bool(
        update.message and message and message.text and message.text.split()[0].startswith("/start")
    )


async def _refuse(update: Update, context: BotContext, text: str) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(context.translate.plain("access.stranger_short"), show_alert=True)
        return
    await say(update, context, text)


async def resolve_caller(update: Update, context: BotContext) -> None:
    """Attach the caller and translator to the context, or answer a stranger and stop."""
    user = update.effective_user
    if user is None:
        raise ApplicationHandlerStop
    if not is_private(update):
        await say(update, context, context.translate("access.private_only"))
        raise ApplicationHandlerStop
    services = context.services
    identity = await services.db.run_read(lambda s: identify(session=s, telegram_user_id=user.id))
    context.caller = identity.caller
    context.t = services.i18n.translator(identity.locale)
    if identity.caller is not None or _is_start_command(update):
        return
    key = N_("access.revoked") if identity.revoked else N_("access.stranger")
    await _refuse(update, context, context.translate(key))
    raise ApplicationHandlerStop
