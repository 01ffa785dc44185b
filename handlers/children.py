"""My children: the paged list, the file card, and Edit through the intake form."""

from __future__ import annotations

from telegram import Update

from bot.care.cards import card_replies, list_reply
from bot.care.children import can_edit, list_children, load_file, open_card
from bot.care.visits import editable_visit_ids
from bot.lifecycle.closing import keeps_file, may_review
from bot.people.roles import Action, may
from bot.telegram.callbacks import CHILDREN
from bot.telegram.context import BotContext
from handlers.forms import begin_form, keyboard
from handlers.replies import say

CHILDREN_PATTERN = CHILDREN.pattern


async def show_children(update: Update, context: BotContext, page: int = 0) -> None:
    """List the files in the caller's area, one page at a time (/children)."""
    caller = context.caller
    assert caller is not None
    result = await context.services.db.run(
        lambda s: list_children(session=s, caller=caller, page=page)
    )
    reply = list_reply(result, context.translate)
    await say(update, context, reply.text, reply_markup=keyboard(reply))


async def children_command(update: Update, context: BotContext) -> None:
    """Show the first page of the caller's children."""
    await show_children(update, context)


async def children_button(update: Update, context: BotContext) -> None:
    """Page the list, open a card, or start editing a file."""
    query, caller = update.callback_query, context.caller
    assert query is not None and query.data is not None and caller is not None
    parts = CHILDREN.decode(query.data)
    await query.answer()
    if parts is None:
        return
    action, number = parts
    if action == "list":
        await show_children(update, context, int(number))
        return
    child_id = int(number)
    now = context.services.clock()
    file = await context.services.db.run(
        # Opening the card is a read of personal data, audited; editing loads the file only.
        lambda s: (
            open_card(session=s, caller=caller, child_id=child_id, now=now)
            if action == "card"
            else load_file(session=s, caller=caller, child_id=child_id)
        )
    )
    t = context.translate
    if file is None:
        await say(update, context, t("children.error.not_found"))
        return
    if action == "card":
        visits = editable_visit_ids(caller, file.visits, context.services.clock())
        replies = card_replies(
            file,
            t,
            editable=can_edit(caller, file),
            editable_visits=visits,
            exportable=may(caller.role, Action.EXPORT),
            own_village=keeps_file(caller, file.child),
            reviewer=may_review(caller),
        )
        for reply in replies:
            await say(update, context, reply.text, reply_markup=keyboard(reply))
        return
    if not can_edit(caller, file):
        await say(update, context, t("children.error.read_only"))
        return
    # A file an urgent report opened is finished through the intake, not edited.
    form = "intake_complete" if file.child.placeholder else "intake_edit"
    await begin_form(update, context, form, record_id=child_id)
