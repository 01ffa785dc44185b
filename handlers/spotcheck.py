"""The spot check in chat: the files to check (each opens the checklist form), the directors'
tasks, and the progress workbook a deadline reminder offers."""

from __future__ import annotations

import io

from telegram import InputFile, Update

from bot.county import chat, reports
from bot.telegram.callbacks import PROGRESS, TASK_DONE
from bot.telegram.context import BotContext
from handlers.denied import refused
from handlers.forms import keyboard
from handlers.replies import say

TASK_PATTERN = TASK_DONE.pattern
PROGRESS_PATTERN = PROGRESS.pattern


async def spot_check_command(update: Update, context: BotContext) -> None:
    """List this year's sampled files the caller may check (/spotcheck)."""
    caller = context.caller
    assert caller is not None
    t = context.translate
    today = context.today()
    async with refused(update, context):
        reply = await context.services.db.run(
            lambda s: chat.files_to_check(session=s, caller=caller, today=today, t=t)
        )
        await say(update, context, reply.text, reply_markup=keyboard(reply))


async def tasks_command(update: Update, context: BotContext) -> None:
    """List the village's open tasks from the spot check (/tasks)."""
    caller = context.caller
    assert caller is not None
    t = context.translate
    async with refused(update, context):
        reply = await context.services.db.run(
            lambda s: chat.tasks_screen(session=s, caller=caller, t=t)
        )
        await say(update, context, reply.text, reply_markup=keyboard(reply))


async def task_done_button(update: Update, context: BotContext) -> None:
    """Mark a task done and show the ones left."""
    query, caller = update.callback_query, context.caller
    assert query is not None and query.data is not None and caller is not None
    parts = TASK_DONE.decode(query.data)
    assert parts is not None
    task_id = int(parts[0])
    services, t = context.services, context.translate
    await query.answer()
    async with refused(update, context):
        reply = await services.db.run(
            lambda s: chat.task_done(
                session=s, caller=caller, task_id=task_id, now=services.clock(), t=t
            )
        )
        await query.edit_message_text(reply.text, reply_markup=keyboard(reply))


async def progress_button(update: Update, context: BotContext) -> None:
    """Send the progress workbook a deadline reminder offers."""
    query, caller = update.callback_query, context.caller
    assert query is not None and query.data is not None and caller is not None
    parts = PROGRESS.decode(query.data)
    assert parts is not None
    org_code, year = parts[0], int(parts[1])
    services, t = context.services, context.translate
    settings = services.settings
    await query.answer()
    async with refused(update, context):
        made = await services.db.run(
            lambda s: reports.progress_for_caller(
                session=s,
                caller=caller,
                org_code=org_code,
                year=year,
                now=services.clock(),
                tz=settings.timezone,
                t=t,
            )
        )
        chat = update.effective_chat
        assert chat is not None  # the gate lets private chats through only
        await context.bot.send_document(
            chat.id, InputFile(io.BytesIO(made.data), filename=made.filename), caption=made.caption
        )
