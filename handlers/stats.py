"""Statistics in chat: the 统计 item and /stats, drilling down the units, and the chart."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.oversight.chart import render_chart
from bot.oversight.figures import AreaFigures, area_figures
from bot.oversight.screen import area_actions, chart_data, stats_reply
from bot.telegram.callbacks import STATS
from bot.telegram.context import BotContext
from bot.telegram.keyboards import markup
from handlers.denied import refused
from handlers.replies import say

STATS_PATTERN = STATS.pattern


async def _figures(context: BotContext, code: str) -> AreaFigures:
    caller = context.caller
    assert caller is not None
    services = context.services
    today, now, tz = context.today(), services.clock(), services.settings.timezone
    # Its reads run side by side in threads of their own, off the event loop.
    return await asyncio.to_thread(
        lambda: area_figures(db=services.db, caller=caller, code=code, today=today, now=now, tz=tz)
    )


async def _show(update: Update, context: BotContext, code: str) -> None:
    figures = await _figures(context, code)
    caller = context.caller
    assert caller is not None
    t = context.translate
    for part in stats_reply(figures, t, area_actions(caller.role, figures.code, t)).parts():
        await say(update, context, part.text, reply_markup=markup(part.buttons))


async def show_stats(update: Update, context: BotContext) -> None:
    """Show the statistics of the caller's own area (/stats and the 统计 item)."""
    caller = context.caller
    assert caller is not None
    async with refused(update, context):
        await _show(update, context, caller.org_code)


async def stats_button(update: Update, context: BotContext) -> None:
    """Show the statistics of the pressed unit, or send the chart of the area shown."""
    query = update.callback_query
    assert query is not None and query.data is not None
    decoded = STATS.decode(query.data)
    assert decoded is not None  # the handler's pattern is the codec's
    action, code = decoded
    await query.answer()
    async with refused(update, context):
        if action == "v":
            await _show(update, context, code)
            return
        figures = await _figures(context, code)
        t = context.translate
        chart = await asyncio.to_thread(render_chart, chart_data(figures, t))
        chat = update.effective_chat
        assert chat is not None
        await context.bot.send_photo(
            chat.id, chart, caption=t("stats.chart.caption", area=figures.name)
        )
