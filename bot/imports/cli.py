"""`python -m bot import ledger FILE --org CODE [--dry-run] [--partial] [--report OUT]`."""

from __future__ import annotations

import argparse

from bot.audit import Actor
from bot.clock import system_clock
from bot.errors import UserError
from bot.i18n import N_, I18n, Translator
from bot.imports.ledger import ImportRequest, import_ledger
from bot.imports.report import summary_lines, write_report
from bot.settings import Settings
from storage.db import Database


def run_ledger_import(
    args: argparse.Namespace, db: Database, t: Translator, settings: Settings
) -> None:
    """Check (and unless a dry run, write) the ledger; print the summary; write the report."""
    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise UserError(
            N_("import.error.unreadable"), path=args.file, reason=error.strerror
        ) from None
    now = system_clock()
    request = ImportRequest(
        data=data,
        file_name=args.file.name,
        org_code=args.org,
        actor=Actor.cli(),
        filed_by=args.by,
        dry_run=args.dry_run,
        partial=args.partial,
    )
    i18n = I18n(settings.bot_locale)
    checked, _entry = db.call(
        lambda s: import_ledger(
            session=s,
            request=request,
            now=now,
            today=now.astimezone(settings.timezone).date(),
            t=t,
            i18n=i18n,
        )
    )
    for label, count in summary_lines(checked.summary, t):
        print(f"{label}\t{count}")
    if args.report:
        args.report.write_bytes(write_report(checked, data, t))
        print(t.plain("import.cli.report", path=args.report))
    summary = checked.summary
    if args.dry_run:
        print(t.plain("import.cli.dry_run"))
    elif not summary.all_valid and not args.partial:
        raise UserError(N_("import.cli.refused"))
