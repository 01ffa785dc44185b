"""Resolve who sent each update before any other handler runs; keep strangers out."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.forms import callbacks
from bot.i18n import N_
from bot.people.access import Identity, identify
from bot.telegram.context import BotContext
from handlers.replies import is_private, say


def _is_start_command(update: Update) -> bool:
    message = update.effective_message
    return bool(
        update.message and message and message.text and message.text.split()[0].startswith("/start")
    )


def _is_form_button(update: Update) -> bool:
    query = update.callback_query
    return bool(query and query.data and callbacks.PATTERN.match(query.data))


def accept_identity(context: BotContext, identity: Identity) -> None:
    """Attach the caller (or nobody) and their language to the context."""
    context.caller = identity.caller
    context.t = context.services.i18n.translator(identity.locale)


async def refuse(update: Update, context: BotContext, identity: Identity) -> None:
    """Tell a stranger, or someone whose access was revoked, that the bot is not for them."""
    query = update.callback_query
    if query is not None:
        await query.answer(context.translate.plain("access.stranger_short"), show_alert=True)
        return
    key = N_("access.revoked") if identity.revoked else N_("access.stranger")
    await say(update, context, context.translate(key))


async def resolve_caller(update: Update, context: BotContext) -> None:
    """Attach the caller and translator to the context, or answer a stranger and stop."""
    user = update.effective_user
    if user is None:
        raise ApplicationHandlerStop
    if not is_private(update):
        await say(update, context, context.translate("access.private_only"))
        raise ApplicationHandlerStop
    if _is_form_button(update):
        return  # handlers.forms.press identifies the sender in the answer's own transaction
    services = context.services
    identity = await services.db.run_read(lambda s: identify(session=s, telegram_user_id=user.id))
    accept_identity(context, identity)
    if identity.caller is not None or _is_start_command(update):
        return
    await refuse(update, context, identity)
    raise ApplicationHandlerStop
