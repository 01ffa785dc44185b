"""A file's life in chat: approve a review, open a returned file, decide a transfer, list closed
files. Closing, reopening, returning, transferring and declining a transfer are forms
(bot/lifecycle/forms.py)."""

from __future__ import annotations

from telegram import Update

from bot.lifecycle.card import closed_list_reply, list_closed
from bot.lifecycle.returned import open_returned
from bot.lifecycle.review import approve
from bot.lifecycle.transfers import decide
from bot.telegram.callbacks import FILES
from bot.telegram.context import BotContext
from handlers.denied import refused
from handlers.forms import keyboard, show
from handlers.replies import say

FILES_PATTERN = FILES.pattern


async def file_button(update: Update, context: BotContext) -> None:
    """Approve a file, open a returned one, accept a transfer, or page the closed files."""
    query, caller = update.callback_query, context.caller
    assert query is not None and query.data is not None and caller is not None
    decoded = FILES.decode(query.data)
    assert decoded is not None  # the handler's pattern is the codec's
    action, number = decoded[0], int(decoded[1])
    services, t = context.services, context.translate
    await query.answer()
    async with refused(update, context):
        if action == "closed":
            page = await services.db.run(
                lambda s: list_closed(session=s, caller=caller, page=number)
            )
            reply = closed_list_reply(page, t)
            await say(update, context, reply.text, reply_markup=keyboard(reply))
        elif action == "ok":
            child = await services.db.run(
                lambda s: approve(session=s, caller=caller, child_id=number, now=services.clock())
            )
            await say(update, context, t("lifecycle.review.you_approved", name=child.name))
        elif action == "fix":
            screen, note = await services.db.run(
                lambda s: open_returned(
                    session=s,
                    caller=caller,
                    child_id=number,
                    now=services.clock(),
                    today=context.today(),
                    policy=services.escalation,
                )
            )
            await say(update, context, t("lifecycle.review.returned_note", note=note))
            await show(update, context, screen)
        else:
            _, child = await services.db.run(
                lambda s: decide(
                    session=s,
                    caller=caller,
                    transfer_id=number,
                    accept=True,
                    now=services.clock(),
                    today=context.today(),
                )
            )
            await say(update, context, t("lifecycle.transfer.you_accepted", name=child.name))
