"""Practice mode in chat: /practice, and the buttons to switch sides, finish or leave."""

from __future__ import annotations

from telegram import Update

from bot.people.access import identify
from bot.practice.chat import practice_button, practice_command
from bot.reply import Reply
from bot.telegram.callbacks import PRACTICE
from bot.telegram.context import BotContext
from handlers.denied import refused
from handlers.forms import keyboard
from handlers.replies import menu_keyboard, say

PRACTICE_PATTERN = PRACTICE.pattern


async def _show(update: Update, context: BotContext, reply: Reply) -> None:
    """Send the reply, then the menu of whoever the person now acts as."""
    user = update.effective_user
    assert user is not None
    services = context.services
    identity = await services.db.run_read(lambda s: identify(session=s, telegram_user_id=user.id))
    caller = identity.caller or context.caller
    assert caller is not None
    context.caller = caller
    await say(update, context, reply.text, reply_markup=keyboard(reply))
    await say(
        update,
        context,
        context.translate("practice.menu_now"),
        reply_markup=menu_keyboard(caller, context.translate),
    )


async def practice(update: Update, context: BotContext) -> None:
    """Enter one's practice area, or show where one stands in it (/practice)."""
    caller, user = context.caller, update.effective_user
    assert caller is not None and user is not None
    services, t = context.services, context.translate
    async with refused(update, context):
        reply = await services.db.run(
            lambda s: practice_command(
                session=s,
                caller=caller,
                telegram_user_id=user.id,
                now=services.clock(),
                today=context.today(),
                t=t,
            )
        )
        await _show(update, context, reply)


async def practice_action(update: Update, context: BotContext) -> None:
    """Switch sides, finish the round (recorded as training), or leave (wiping it)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and query.data is not None and user is not None
    parts = PRACTICE.decode(query.data)
    assert parts is not None
    services, t = context.services, context.translate
    await query.answer()
    async with refused(update, context):
        reply = await services.db.run(
            lambda s: practice_button(
                session=s,
                action=parts[0],
                telegram_user_id=user.id,
                now=services.clock(),
                today=context.today(),
                t=t,
            )
        )
        await _show(update, context, reply)
