"""A ledger sent as a document: the check's report back with a button, then the import."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.errors import UserError
from bot.imports.chat import (
    MAX_UPLOAD_BYTES,
    check_upload,
    confirm_buttons,
    confirm_upload,
    looks_like_ledger,
    may_import,
    pending_import,
    record_check,
    summary_text,
    upload_report,
)
from bot.telegram.callbacks import LEDGER_IMPORT
from bot.telegram.context import BotContext
from bot.telegram.keyboards import markup
from handlers.fallback import unsupported_message
from handlers.replies import say

LEDGER_IMPORT_PATTERN = LEDGER_IMPORT.pattern


async def _download(context: BotContext, file_id: str) -> bytes:
    file = await context.bot.get_file(file_id)
    return bytes(await file.download_as_bytearray())


async def ledger_document(update: Update, context: BotContext) -> None:
    """Check a ledger an admin sends and send the report back with a button to import it."""
    caller, message, chat = context.caller, update.effective_message, update.effective_chat
    assert caller is not None and message is not None and message.document is not None
    assert chat is not None
    t, document, services = context.translate, message.document, context.services
    if not may_import(caller):
        if looks_like_ledger(document.file_name, document.mime_type):
            await say(update, context, t("import.chat.refused"))
        else:  # any other file is what it was before imports existed
            await unsupported_message(update, context)
        return
    if (document.file_size or 0) > MAX_UPLOAD_BYTES:
        await say(update, context, t("import.chat.too_big", mb=MAX_UPLOAD_BYTES // 2**20))
        return
    await say(update, context, t("import.chat.checking"))
    data = await _download(context, document.file_id)
    name, file_id, i18n = document.file_name or "ledger.xlsx", document.file_id, services.i18n
    try:
        checked = await services.db.run_read(
            lambda s: check_upload(
                session=s, caller=caller, data=data, today=context.today(), t=t, i18n=i18n
            )
        )
    except UserError as error:
        await say(update, context, error.render(t))
        return
    entry_id = await services.db.run(
        lambda s: record_check(
            session=s,
            caller=caller,
            checked=checked,
            file_name=name,
            file_id=file_id,
            now=services.clock(),
        )
    )
    report, report_name = await asyncio.to_thread(upload_report, checked, data, t)
    await context.bot.send_document(
        chat.id,
        document=report,
        filename=report_name,
        caption=t("import.chat.checked", summary=summary_text(checked.summary, t)),
        reply_markup=markup(confirm_buttons(checked.summary, entry_id, t)),
    )


async def ledger_button(update: Update, context: BotContext) -> None:
    """Import the checked ledger (all rows, or the valid ones), or leave it."""
    query, caller = update.callback_query, context.caller
    assert query is not None and query.data is not None and caller is not None
    parts = LEDGER_IMPORT.decode(query.data)
    await query.answer()
    if parts is None:
        return
    choice, entry_id = parts[0], int(parts[1])
    t, services = context.translate, context.services
    await query.edit_message_reply_markup(None)  # one press: the buttons go
    if choice == "no":
        await say(update, context, t("import.chat.cancelled"))
        return
    try:
        pending = await services.db.run_read(
            lambda s: pending_import(session=s, caller=caller, entry_id=entry_id)
        )
        await say(update, context, t("import.chat.importing"))
        data = await _download(context, pending.file_id)
        summary = await services.db.run(
            lambda s: confirm_upload(
                session=s,
                caller=caller,
                pending=pending,
                data=data,
                partial=choice == "part",
                now=services.clock(),
                today=context.today(),
                t=t,
                i18n=services.i18n,
            )
        )
    except UserError as error:
        await say(update, context, error.render(t))
        return
    await say(update, context, t("import.chat.imported", summary=summary_text(summary, t)))
