"""`python -m bot export child ID | ledger --org CODE`: exports at the command line.

The operator at the command line sees every area and full numbers, so the file is encrypted
with `--password` or a generated one (printed); `--masked` writes masked numbers instead,
unencrypted. Files are written straight to `--out`, with no size limit.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.clock import system_clock
from bot.exports.service import Export, Requester, export_area, export_child, move_to
from bot.i18n import I18n, Translator
from bot.settings import Settings
from storage.db import Database


def add_export_parser(commands: Any) -> None:
    """Add `export child` and `export ledger` to the command line."""
    export = commands.add_parser("export", help="the ledger as Excel files").add_subparsers(
        dest="export_command", required=True
    )
    child = export.add_parser("child", help="one child's file in the attachment's layout")
    child.add_argument("id", type=int, help="the file's number")
    ledger = export.add_parser("ledger", help="an area's roll-up workbook")
    ledger.add_argument("--org", required=True, help="the unit's code")
    for sub in (child, ledger):
        sub.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
        sub.add_argument("--year", type=int, help="the year of the visits (default: this year)")
        protection = sub.add_mutually_exclusive_group()
        protection.add_argument("--password", help="encrypt with this password")
        protection.add_argument(
            "--masked", action="store_true", help="mask ID numbers and phones, no encryption"
        )


def run_export(args: argparse.Namespace, db: Database, t: Translator, settings: Settings) -> None:
    """Write the export the arguments ask for, then say where and how to open it."""
    who = Requester.operator(full_numbers=not args.masked)
    today = system_clock().astimezone(settings.timezone).date()
    zh = I18n(settings.bot_locale).translator("zh_Hans")
    export: Export
    if args.export_command == "child":
        export = export_child(
            db, who, child_id=args.id, today=today, zh=zh, year=args.year, password=args.password
        )
    else:
        export = export_area(
            db,
            who,
            org_code=args.org,
            year=args.year,
            today=today,
            tz=settings.timezone,
            zh=zh,
            password=args.password,
        )
    password = export.password
    for path in move_to(export, args.out):
        print(t.plain("cli.export.written", path=path, rows=export.rows))
    if password and not args.password:
        print(t.plain("cli.export.password", password=password))
    elif export.masked:
        print(t.plain("cli.export.masked"))
