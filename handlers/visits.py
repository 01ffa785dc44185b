"""Visit reports: the child picker (most overdue first, searchable); its buttons open the form."""

from __future__ import annotations

from telegram import Update

from bot.care.cards import RISK
from bot.care.visits import children_to_visit
from bot.errors import InvalidAnswer
from bot.i18n import N_
from bot.people.roles import Action, may
from bot.reply import Reply
from bot.telegram.callbacks import VISIT_START
from bot.telegram.context import BotContext
from handlers.forms import keyboard
from handlers.replies import say


async def pick_child(update: Update, context: BotContext, search: str = "") -> bool:
    """Show the caller's children to report on; tell whether any matched (or the search was
    refused, which is said)."""
    caller = context.caller
    assert caller is not None
    t = context.translate
    try:
        children = await context.services.db.run(
            lambda s: children_to_visit(session=s, caller=caller, search=search)
        )
    except InvalidAnswer as refused:
        await say(update, context, refused.render(t))
        return True  # answered: the search itself was refused
    if not children:
        if not search:
            await say(update, context, t("children.none"))
        return False
    rows = [
        [
            (
                t.plain(
                    "visit.pick_item",
                    name=c.name,
                    risk=t.plain(RISK.get(c.risk_tier, "")),
                    due=(c.next_visit_due or c.next_contact_due or "").__str__(),
                ),
                VISIT_START.encode(c.id),
            )
        ]
        for c in children
    ]
    key = N_("visit.pick_search") if search else N_("visit.pick")
    reply = Reply(t(key, search=search), rows)
    await say(update, context, reply.text, reply_markup=keyboard(reply))
    return True


async def visit_command(update: Update, context: BotContext) -> None:
    """Start a visit report: /visit, or /visit followed by part of a name."""
    caller = context.caller
    assert caller is not None
    if not may(caller.role, Action.REPORT_VISITS):
        await say(update, context, context.translate("visit.directors_only"))
        return
    search = " ".join(context.args or [])
    if not await pick_child(update, context, search) and search:
        await say(update, context, context.translate("visit.no_match", search=search))
