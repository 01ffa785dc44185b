"""Urgent reports in chat: /urgent and the menu item pick the village (supervisors) and the
child, or "not on file"; the buttons open the forms. /complete lists the files to finish."""

from __future__ import annotations

from telegram import Update

from bot.care.urgent import children_for_report, placeholders_of, villages_for_report
from bot.forms.urgent import open_unfiled
from bot.i18n import N_
from bot.people.roles import Action, Role, may
from bot.reply import Reply
from bot.telegram.callbacks import URGENT_CHILD, URGENT_COMPLETE, URGENT_UNFILED, URGENT_VILLAGE
from bot.telegram.context import BotContext
from handlers.denied import refused
from handlers.forms import keyboard, show
from handlers.replies import say

VILLAGE_PATTERN = URGENT_VILLAGE.pattern
UNFILED_PATTERN = URGENT_UNFILED.pattern


async def pick_child_in(update: Update, context: BotContext, village_code: str) -> None:
    """Show a village's children to report on, and the button for a child not on file."""
    caller = context.caller
    assert caller is not None
    t = context.translate
    async with refused(update, context):
        found = await context.services.db.run(
            lambda s: children_for_report(session=s, caller=caller, village_code=village_code)
        )
        rows = [
            [
                (
                    t.plain(N_("urgent.pick_pending"), name=c.name) if c.placeholder else c.name,
                    URGENT_CHILD.encode(c.id),
                )
            ]
            for c in found
        ]
        rows.append([(t.plain(N_("urgent.button.unfiled")), URGENT_UNFILED.encode(village_code))])
        reply = Reply(t(N_("urgent.pick_child")), rows)
        await say(update, context, reply.text, reply_markup=keyboard(reply))


async def urgent_command(update: Update, context: BotContext) -> None:
    """Start an urgent report: a director picks the child; a supervisor the village first."""
    caller = context.caller
    assert caller is not None
    t = context.translate
    if not may(caller.role, Action.REPORT_URGENT):
        await say(update, context, t(N_("urgent.error.not_allowed")))
        return
    if caller.role == Role.DIRECTOR:
        await pick_child_in(update, context, caller.org_code)
        return
    villages = await context.services.db.run(
        lambda s: villages_for_report(session=s, caller=caller)
    )
    if not villages:
        await say(update, context, t(N_("urgent.no_villages")))
        return
    rows = [[(v.name, URGENT_VILLAGE.encode(v.code))] for v in villages]
    reply = Reply(t(N_("urgent.pick_village")), rows)
    await say(update, context, reply.text, reply_markup=keyboard(reply))


async def village_button(update: Update, context: BotContext) -> None:
    """Show the pressed village's children (a supervisor's urgent report)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = URGENT_VILLAGE.decode(query.data)
    await query.answer()
    if parts is not None:
        await pick_child_in(update, context, parts[0])


async def unfiled_button(update: Update, context: BotContext) -> None:
    """Start the urgent report for a child not on file in the pressed village."""
    query, caller = update.callback_query, context.caller
    assert query is not None and query.data is not None and caller is not None
    parts = URGENT_UNFILED.decode(query.data)
    await query.answer()
    if parts is None:
        return
    (village_code,) = parts
    services = context.services
    async with refused(update, context):
        screen = await services.db.run(
            lambda s: open_unfiled(
                session=s,
                caller=caller,
                village_code=village_code,
                now=services.clock(),
                today=context.today(),
                policy=services.escalation,
            )
        )
        await show(update, context, screen)


async def complete_command(update: Update, context: BotContext) -> None:
    """List the files urgent reports opened that are still to be completed, a button each."""
    caller = context.caller
    assert caller is not None
    t = context.translate
    pending = await context.services.db.run(lambda s: placeholders_of(session=s, caller=caller))
    if not pending:
        await say(update, context, t(N_("urgent.complete.none")))
        return
    rows = [
        [
            (
                t.plain(
                    N_("urgent.complete.item"), name=c.name, filed=c.filed_at.date().isoformat()
                ),
                URGENT_COMPLETE.encode(c.id),
            )
        ]
        for c in pending
    ]
    reply = Reply(t(N_("urgent.complete.pick"), count=len(pending)), rows)
    await say(update, context, reply.text, reply_markup=keyboard(reply))
