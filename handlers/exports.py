"""The ledger as Excel files in chat: /export, the card's "export" and "export this area"."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

from telegram import Update

from bot.errors import UserError
from bot.exports.service import Export, Requester, export_area, export_child
from bot.telegram.callbacks import EXPORT
from bot.telegram.context import BotContext
from handlers.replies import say

EXPORT_PATTERN = EXPORT.pattern
YEAR = re.compile(r"^\d{4}$")
ORG_CODE = re.compile(r"^\d{6,12}$")
LEDGER_LOCALE = "zh_Hans"  # the ledger is the province's Chinese form, whoever asks


async def export_command(update: Update, context: BotContext) -> None:
    """Export the caller's area, or a unit in it (/export [code] [year])."""
    code: str | None = None
    year: int | None = None
    for word in context.args or []:
        if YEAR.match(word) and year is None:
            year = int(word)
        elif ORG_CODE.match(word) and code is None:
            code = word
        else:
            await say(update, context, context.translate("export.usage"))
            return
    await _area(update, context, code, year)


async def export_button(update: Update, context: BotContext) -> None:
    """Export a child's file from its card, or an area from the statistics screen."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    parts = EXPORT.decode(query.data)
    if parts is None:
        return
    kind, value = parts
    if kind == "child":
        await _child(update, context, int(value))
    else:
        await _area(update, context, value, None)


async def _area(update: Update, context: BotContext, code: str | None, year: int | None) -> None:
    caller = context.caller
    assert caller is not None
    services = context.services
    who = Requester.of_caller(caller)
    today, zh = context.today(), services.i18n.translator(LEDGER_LOCALE)
    await _build_and_send(
        update,
        context,
        lambda: export_area(
            services.db,
            who,
            org_code=code,
            year=year,
            today=today,
            tz=services.settings.timezone,
            zh=zh,
            max_bytes=services.settings.export_max_bytes,
        ),
    )


async def _child(update: Update, context: BotContext, child_id: int) -> None:
    caller = context.caller
    assert caller is not None
    services = context.services
    who = Requester.of_caller(caller)
    today, zh = context.today(), services.i18n.translator(LEDGER_LOCALE)
    await _build_and_send(
        update,
        context,
        lambda: export_child(services.db, who, child_id=child_id, today=today, zh=zh),
        child_id=child_id,
    )


async def _build_and_send(
    update: Update, context: BotContext, build: Callable[[], Export], child_id: int | None = None
) -> None:
    t = context.translate
    chat = update.effective_chat
    assert chat is not None
    await say(update, context, t("export.building"))
    try:
        # Reading the database and writing the workbook run in a worker thread.
        export = await asyncio.to_thread(build)
    except UserError as refused:
        await say(update, context, refused.render(t))
        return
    try:
        if len(export.files) > 1:
            await say(update, context, t("export.ready.parts", count=len(export.files)))
        note = t("export.encrypted") if export.password else t("export.masked")
        for path in export.files:
            if child_id is not None:
                title = t("export.ready.child", id=child_id)
            else:
                title = t("export.ready.area", name=export.name, year=export.year, rows=export.rows)
            await context.bot.send_document(
                chat.id, document=path, filename=path.name, caption=f"{title}\n{note}"
            )
        if export.password:
            await say(update, context, t("export.password", password=export.password))
    finally:
        export.discard()
