"""A ledger sent to the bot by an admin: checked first (the report goes back with a button),
imported when the admin confirms; the file is fetched again by its Telegram file id."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.audit import Actor
from bot.errors import UserError
from bot.i18n import N_, I18n, Translator
from bot.imports.ledger import (
    Checked,
    ImportRequest,
    Summary,
    audit_import,
    check_ledger,
    import_ledger,
)
from bot.imports.report import summary_lines, write_report
from bot.people.access import Caller
from bot.people.roles import Action, may
from bot.telegram.callbacks import LEDGER_IMPORT
from storage import import_queries

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


LEDGER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".et")


def may_import(caller: Caller) -> bool:
    return may(caller.role, Action.IMPORT_LEDGER)


def looks_like_ledger(file_name: str | None, mime_type: str | None) -> bool:
    """A spreadsheet by its name or type (what someone who may not import is told about)."""
    name, mime = (file_name or "").lower(), (mime_type or "").lower()
    return (
        name.endswith(LEDGER_SUFFIXES)
        or "spreadsheet" in mime
        or "excel" in mime
        or (mime == "text/csv")
    )


def check_upload(
    *, session: Session, caller: Caller, data: bytes, today: date, t: Translator, i18n: I18n
) -> Checked:
    """Check a sent ledger against the caller's area, reading only (on SQLite, a long check
    in a read transaction keeps no one else from writing)."""
    if not may_import(caller):
        raise UserError(N_("import.chat.refused"))
    return check_ledger(
        session=session, data=data, org_code=caller.org_code, today=today, t=t, i18n=i18n
    )


def record_check(
    *,
    session: Session,
    caller: Caller,
    checked: Checked,
    file_name: str,
    file_id: str,
    now: datetime,
) -> int:
    """Audit the check; its row keeps the file id the confirm button's import fetches again."""
    request = ImportRequest(
        data=b"",
        file_name=file_name,
        org_code=caller.org_code,
        actor=Actor.staff(caller.staff_id),
        dry_run=True,
        noted={"file_id": file_id},
    )
    return audit_import(session=session, request=request, checked=checked, now=now)


def upload_report(checked: Checked, data: bytes, t: Translator) -> tuple[bytes, str]:
    """The report workbook and its file name."""
    # An ASCII name: multipart uploads percent-encode others, which Telegram then shows as is.
    return write_report(checked, data, t), f"ledger-check-{checked.digest[:8]}.xlsx"


def summary_text(summary: Summary, t: Translator) -> str:
    """The counts, a line each, for a chat message."""
    lines = summary_lines(summary, t)
    return "\n".join(f"{label}：{count}" for label, count in lines)


def confirm_buttons(s: Summary, entry_id: int, t: Translator) -> list[list[tuple[str, str]]]:
    """Import all (every row valid), or the valid rows only; and Cancel."""
    cancel = (t.plain("import.chat.cancel"), LEDGER_IMPORT.encode("no", entry_id))
    if s.valid == 0:
        return []
    if s.all_valid:
        label = t.plain("import.chat.import_all", count=s.valid)
        return [[(label, LEDGER_IMPORT.encode("all", entry_id))], [cancel]]
    label = t.plain("import.chat.import_valid", count=s.valid)
    return [[(label, LEDGER_IMPORT.encode("part", entry_id))], [cancel]]


@dataclass(frozen=True)
class PendingImport:
    """A checked upload the caller may now import."""

    entry_id: int
    file_id: str
    file_name: str
    digest: str


def pending_import(*, session: Session, caller: Caller, entry_id: int) -> PendingImport:
    """The caller's own checked upload named by a button; refused otherwise."""
    entry = import_queries.audit_entry(session=session, entry_id=entry_id)
    if (
        entry is None
        or entry.action != "ledger.checked"
        or entry.actor_staff_id != caller.staff_id
        or not may_import(caller)
    ):
        raise UserError(N_("import.chat.stale"))
    noted = json.loads(entry.new_value or "{}")
    return PendingImport(entry_id, noted["file_id"], noted["file"], noted["digest"])


def confirm_upload(
    *,
    session: Session,
    caller: Caller,
    pending: PendingImport,
    data: bytes,
    partial: bool,
    now: datetime,
    today: date,
    t: Translator,
    i18n: I18n,
) -> Summary:
    """Import the file checked before (the same bytes), all rows or the valid ones."""
    if hashlib.sha256(data).hexdigest() != pending.digest:
        raise UserError(N_("import.chat.changed"))
    request = ImportRequest(
        data=data,
        file_name=pending.file_name,
        org_code=caller.org_code,
        actor=Actor.staff(caller.staff_id),
        filed_by=caller.staff_id,
        partial=partial,
        noted={"checked": pending.entry_id},
    )
    checked, _ = import_ledger(
        session=session, request=request, now=now, today=today, t=t, i18n=i18n
    )
    return checked.summary
