"""Visit reports: the child picker (most overdue first, searchable), then the visit form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlmodel import Session
from telegram import Update

from bot.care.cards import RISK
from bot.care.escalations import EscalationPolicy
from bot.care.visits import children_to_visit
from bot.forms.launch import begin_visit, begin_visit_edit
from bot.forms.service import Screen
from bot.i18n import N_
from bot.people.access import Caller
from bot.reply import Reply
from bot.telegram.context import BotContext
from handlers.denied import refused
from handlers.forms import keyboard, show
from handlers.replies import say
from storage.models import Role

FormStarter = Callable[[Session, Caller, int, datetime, date, EscalationPolicy], Screen]
VISIT_PATTERN = r"^vs:(\d{1,12})$"
VISIT_EDIT_PATTERN = r"^ve:(\d{1,12})$"


async def pick_child(update: Update, context: BotContext, search: str = "") -> bool:
    """Show the caller's children to report on; tell whether any matched."""
    caller = context.caller
    assert caller is not None
    children = await context.services.db.run(
        lambda s: children_to_visit(session=s, caller=caller, search=search)
    )
    t = context.translate
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
                f"vs:{c.id}",
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
    if caller.role != Role.DIRECTOR:
        await say(update, context, context.translate("visit.directors_only"))
        return
    search = " ".join(context.args or [])
    if not await pick_child(update, context, search) and search:
        await say(update, context, context.translate("visit.no_match", search=search))


async def _open_form(update: Update, context: BotContext, starter: FormStarter) -> None:
    """Start a form for the record the pressed button names (its id after the colon)."""
    query, caller = update.callback_query, context.caller
    assert query is not None and query.data is not None and caller is not None
    record_id = int(query.data.split(":")[1])
    await query.answer()
    services = context.services
    async with refused(update, context):
        screen = await services.db.run(
            lambda s: starter(
                s, caller, record_id, services.clock(), context.today(), services.escalation
            )
        )
        await show(update, context, screen)


async def visit_button(update: Update, context: BotContext) -> None:
    """Open the visit form for the child whose button was pressed."""
    await _open_form(
        update,
        context,
        lambda s, c, i, now, today, p: begin_visit(
            session=s, caller=c, child_id=i, now=now, today=today, policy=p
        ),
    )


async def visit_edit_button(update: Update, context: BotContext) -> None:
    """Open one of the caller's visit reports from the last week for correction."""
    await _open_form(
        update,
        context,
        lambda s, c, i, now, today, p: begin_visit_edit(
            session=s, caller=c, visit_id=i, now=now, today=today, policy=p
        ),
    )
