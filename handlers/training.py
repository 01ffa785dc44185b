"""Recording who attended a training, in chat: pick the event, the township, tick people."""

from __future__ import annotations

from telegram import Update

from bot.county import chat
from bot.reply import Reply
from bot.telegram.callbacks import TRAINING
from bot.telegram.context import BotContext
from handlers.denied import refused
from handlers.forms import keyboard
from handlers.replies import say

TRAINING_PATTERN = TRAINING.pattern


async def training_command(update: Update, context: BotContext) -> None:
    """List the latest trainings to record attendance at (/training)."""
    caller = context.caller
    assert caller is not None
    t = context.translate
    async with refused(update, context):
        reply = await context.services.db.run(
            lambda s: chat.events_screen(session=s, caller=caller, t=t)
        )
        await say(update, context, reply.text, reply_markup=keyboard(reply))


async def training_button(update: Update, context: BotContext) -> None:
    """Open an event's townships or a township's people, or tick one person."""
    query, caller = update.callback_query, context.caller
    assert query is not None and query.data is not None and caller is not None
    parts = TRAINING.decode(query.data)
    assert parts is not None  # the handler's pattern is the codec's
    action, event_id, arg = parts[0], int(parts[1]), parts[2]
    services, t = context.services, context.translate
    await query.answer()
    async with refused(update, context):
        if action == "ev":
            reply: Reply = await services.db.run(
                lambda s: chat.townships_screen(session=s, caller=caller, event_id=event_id, t=t)
            )
            await say(update, context, reply.text, reply_markup=keyboard(reply))
            return
        if action == "tw":
            reply = await services.db.run(
                lambda s: chat.ticks_screen(
                    session=s, caller=caller, event_id=event_id, township=arg, t=t
                )
            )
            await say(update, context, reply.text, reply_markup=keyboard(reply))
            return
        reply = await services.db.run(
            lambda s: chat.tick(
                session=s,
                caller=caller,
                event_id=event_id,
                staff_id=int(arg or 0),
                now=services.clock(),
                t=t,
            )
        )
        await query.edit_message_text(reply.text, reply_markup=keyboard(reply))
