"""Escalations in chat: acknowledge, resolve with a note, ask the director, and the list."""

from __future__ import annotations

from telegram import Update

from bot.care.escalations import INFORMED, acknowledge, escalation_list, record_informed
from bot.forms.launch import begin_note
from bot.reply import Reply
from bot.telegram.callbacks import ESCALATION, ESCALATION_INFORMED
from bot.telegram.context import BotContext
from handlers.denied import refused
from handlers.forms import keyboard, show
from handlers.replies import say

ESCALATION_PATTERN = ESCALATION.pattern
INFORMED_PATTERN = ESCALATION_INFORMED.pattern
NOTE_FORMS = {"res": "esc_resolve", "ask": "esc_ask", "reply": "esc_reply"}


async def escalation_button(update: Update, context: BotContext) -> None:
    """Acknowledge an escalation, or start the note, question or reply it asks for."""
    query, caller = update.callback_query, context.caller
    assert query is not None and query.data is not None and caller is not None
    decoded = ESCALATION.decode(query.data)
    assert decoded is not None  # the handler's pattern is the codec's
    action, esc_id = decoded[0], int(decoded[1])
    services = context.services
    t = context.translate
    await query.answer()
    async with refused(update, context):
        if action == "ack":
            await services.db.run(
                lambda s: acknowledge(
                    session=s,
                    caller=caller,
                    esc_id=esc_id,
                    now=services.clock(),
                    policy=services.escalation,
                )
            )
            await say(update, context, t("escalation.you_acknowledged", id=esc_id))
            return
        screen = await services.db.run(
            lambda s: begin_note(
                session=s,
                caller=caller,
                form=NOTE_FORMS[action],
                esc_id=esc_id,
                now=services.clock(),
                today=context.today(),
                policy=services.escalation,
            )
        )
        await show(update, context, screen)


async def informed_button(update: Update, context: BotContext) -> None:
    """Record that the police, an ambulance, the school or others were told of an urgent report."""
    query, caller = update.callback_query, context.caller
    assert query is not None and query.data is not None and caller is not None
    decoded = ESCALATION_INFORMED.decode(query.data)
    assert decoded is not None  # the handler's pattern is the codec's
    kind, esc_id = decoded[0], int(decoded[1])
    services = context.services
    t = context.translate
    await query.answer()
    async with refused(update, context):
        measure = await services.db.run(
            lambda s: record_informed(
                session=s, caller=caller, esc_id=esc_id, kind=kind, now=services.clock()
            )
        )
        at = measure.informed_at.astimezone(services.settings.timezone).strftime("%Y-%m-%d %H:%M")
        what = t.plain(INFORMED[kind])
        await say(update, context, t("ladder.informed_recorded", id=esc_id, what=what, at=at))


async def list_escalations(update: Update, context: BotContext) -> None:
    """List the open escalations in the caller's area, oldest first (/escalations)."""
    caller = context.caller
    assert caller is not None
    t = context.translate
    items = await context.services.db.run(lambda s: escalation_list(session=s, caller=caller))
    if not items:
        await say(update, context, t("escalation.none_open"))
        return
    for item in items:
        reply = Reply(
            t("escalation.list_item", **item.values),
            [
                [
                    (t.plain("escalation.button.ack"), ESCALATION.encode("ack", item.id)),
                    (t.plain("escalation.button.resolve"), ESCALATION.encode("res", item.id)),
                ]
            ],
        )
        await say(update, context, reply.text, reply_markup=keyboard(reply))
