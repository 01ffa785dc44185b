"""The command line: `python -m bot run | db upgrade | org ... | staff ...`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from bot.app_meta import BOT_USERNAME_KEY
from bot.audit import Actor, record_audit
from bot.clock import system_clock
from bot.county import cli as county_cli
from bot.errors import UserError
from bot.exports.cli import add_export_parser, run_export
from bot.i18n import N_, I18n, Translator
from bot.logs import configure_logging
from bot.notify.render import Renderer
from bot.people.orgs import OrgInput, add_org, area_prefix_of, import_orgs, list_area, read_org_csv
from bot.people.staff import InviteRequest, IssuedInvite, invite_staff, list_staff, revoke_staff
from bot.personal import mask_phone
from bot.reminders.sweep import Recipient, html_to_text, sweep
from bot.reply import Reply
from bot.settings import Settings, SettingsError, load_settings
from storage import crypto, migrate, queries
from storage.crypto import DataKeyError, Keyring, new_key_text
from storage.db import Database

EXIT_USAGE = 2
EXIT_FAILURE = 1


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {value}") from None


def _remind(args: argparse.Namespace, db: Database, t: Translator, settings: Settings) -> None:
    now = system_clock()
    today = args.as_of or now.astimezone(settings.timezone).date()

    def show(staff: Recipient, message: Reply) -> None:
        print(f"== {staff.role} {staff.id} {staff.name or ''} ==")
        print(html_to_text(message.text))

    result = db.call(
        lambda s: sweep(
            session=s,
            today=today,
            now=now,
            tz=settings.timezone,
            quiet=settings.quiet_hours,
            dry_run=args.dry_run,
            collect=False,
            renderer=Renderer(I18n(settings.bot_locale)),
            on_message=show,
        )
    )
    if not result.ran:
        print(t.plain("cli.remind.already", day=today))
        return
    if args.dry_run:
        # The preview printed names to whoever ran it: a read of personal data, audited.
        db.call(
            lambda s: record_audit(
                session=s,
                actor=Actor.cli(),
                action="sweep.dry_run_printed",
                table="sweep",
                record_id=today,
                new={"digests": result.count},
                at=now,
            )
        )
    key = N_("cli.remind.previewed") if args.dry_run else N_("cli.remind.queued")
    print(t.plain(key, count=result.count, day=today))


def _demo(args: argparse.Namespace, db: Database, t: Translator, settings: Settings) -> None:
    from bot.demo import generate

    if args.children < 1:
        raise UserError(N_("demo.error.children"))
    today = system_clock().astimezone(settings.timezone).date()
    size = generate(db.engine, children=args.children, seed=args.seed, today=today)
    print(
        t.plain(
            "cli.demo.done",
            children=size.children,
            villages=size.villages,
            townships=size.townships,
            counties=size.counties,
        )
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Guanai (关爱) bot")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start the bot (long polling, or the webhook)")
    run.add_argument(
        "--role",
        choices=("all", "web", "worker"),
        default="all",
        help="web: take updates and answer; worker: jobs and outbox; all: both (default)",
    )
    webhook = commands.add_parser("webhook", help="the webhook Telegram calls").add_subparsers(
        dest="webhook_command", required=True
    )
    webhook.add_parser("set", help="register WEBHOOK_URL with its secret")
    webhook.add_parser("delete", help="remove the webhook (back to long polling)")
    webhook.add_parser("info", help="show what Telegram knows of the webhook")

    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="apply the migrations")

    org = commands.add_parser("org", help="administrative divisions").add_subparsers(
        dest="org_command", required=True
    )
    org_add = org.add_parser("add", help="add one unit")
    org_add.add_argument("--code", required=True)
    org_add.add_argument("--name", required=True)
    org_add.add_argument("--level", required=True, help="province|city|county|township|village")
    org_add.add_argument("--parent")
    org_import = org.add_parser("import", help="add units from a CSV: code,name,level,parent")
    org_import.add_argument("file", type=Path)
    org_list = org.add_parser("list", help="list units")
    org_list.add_argument("--under")

    staff = commands.add_parser("staff", help="directors, supervisors and admins").add_subparsers(
        dest="staff_command", required=True
    )
    invite = staff.add_parser("invite", help="create a one-time invite link")
    invite.add_argument("--role", required=True, help="director|supervisor|admin")
    invite.add_argument("--org", required=True)
    invite.add_argument("--name")
    invite.add_argument("--phone")
    staff_list = staff.add_parser("list", help="list staff")
    staff_list.add_argument("--org")
    revoke = staff.add_parser("revoke", help="withdraw a staff member's access")
    revoke.add_argument("id", type=int)
    county_cli.add_staff_commands(staff)
    county_cli.add_commands(commands)

    demo = commands.add_parser(
        "demo-data", help="write synthetic data (never into a live database)"
    )
    demo.add_argument("--children", type=int, default=1000)
    demo.add_argument("--seed", type=int, default=7)

    keys = commands.add_parser("keys", help="the data key of personal data").add_subparsers(
        dest="keys_command", required=True
    )
    keys.add_parser("new", help="print a new random data key for DATA_KEY")
    rotate = keys.add_parser(
        "rotate", help="re-encrypt with DATA_KEY what DATA_KEY_PREVIOUS encrypted (resumable)"
    )
    rotate.add_argument("--batch", type=int, default=200)

    audit = commands.add_parser("audit", help="the audit log").add_subparsers(
        dest="audit_command", required=True
    )
    audit_show = audit.add_parser("show", help="who saw and changed what (masked)")
    whose = audit_show.add_mutually_exclusive_group(required=True)
    whose.add_argument("--child", type=int)
    whose.add_argument("--staff", type=int)

    escalations = commands.add_parser("escalations", help="escalations").add_subparsers(
        dest="escalations_command", required=True
    )
    unrouted = escalations.add_parser("unrouted", help="reports nobody on the ladder can receive")
    unrouted.add_argument("--under", help="only this unit's area (its code)")

    remind = commands.add_parser("remind", help="run the reminder sweep now")
    remind.add_argument("--as-of", type=_day, help="the local day to sweep for (YYYY-MM-DD)")
    remind.add_argument(
        "--dry-run", action="store_true", help="print each recipient's digest and send nothing"
    )

    add_export_parser(commands)
    ledger = commands.add_parser("import", help="bring existing records in").add_subparsers(
        dest="import_command", required=True
    )
    ledger_import = ledger.add_parser("ledger", help="a county's 个人信息台账 (.xlsx or .csv)")
    ledger_import.add_argument("file", type=Path)
    ledger_import.add_argument("--org", required=True, help="the unit whose villages it fills")
    ledger_import.add_argument("--dry-run", action="store_true", help="check and write nothing")
    ledger_import.add_argument("--partial", action="store_true", help="write the valid rows")
    ledger_import.add_argument("--report", type=Path, help="write the report workbook here")
    ledger_import.add_argument("--by", type=int, help="the staff id filing (default: an admin)")

    backup = commands.add_parser("backup", help="copy the live database into a new file")
    backup.add_argument("--out", type=Path, required=True, help="the new backup file")
    restore = commands.add_parser("restore", help="restore a backup into an empty database")
    restore.add_argument("file", type=Path, help="a file written by `backup`")
    return parser


def _org_add(args: argparse.Namespace, db: Database, t: Translator) -> None:
    data = OrgInput(code=args.code, name=args.name, level=args.level, parent_code=args.parent)
    org = db.call(lambda s: add_org(session=s, data=data, actor=Actor.cli()))
    print(t.plain("cli.org.added", code=org.code, name=org.name, level=org.level))


def _org_import(args: argparse.Namespace, db: Database, t: Translator) -> None:
    rows = read_org_csv(args.file)
    count = db.call(lambda s: import_orgs(session=s, rows=rows, actor=Actor.cli()))
    print(t.plain("cli.org.imported", count=count))


def _org_list(args: argparse.Namespace, db: Database, t: Translator) -> None:
    orgs = db.call(lambda s: list_area(session=s, under=args.under))
    lines = [f"{o.code}\t{o.level}\t{o.name}\t{o.parent_code or '-'}" for o in orgs]
    print("\n".join(lines) if lines else t.plain("cli.org.none"))


def _staff_invite(
    args: argparse.Namespace, db: Database, t: Translator, settings: Settings
) -> None:
    request = InviteRequest(role=args.role, org_code=args.org, name=args.name, phone=args.phone)

    def work(session: Session) -> tuple[IssuedInvite, str | None]:
        issued = invite_staff(
            session=session,
            request=request,
            actor=Actor.cli(),
            now=system_clock(),
            lifetime=settings.invite_lifetime,
        )
        username = settings.telegram_bot_username or queries.get_meta(
            session=session, key=BOT_USERNAME_KEY
        )
        return issued, username

    issued, username = db.call(work)
    print(t.plain("cli.staff.invited", id=issued.staff.id, days=settings.invite_valid_days))
    if username:
        print(f"https://t.me/{username.lstrip('@')}?start={issued.code}")
    else:
        print(t.plain("cli.staff.code_only", code=issued.code))


def _staff_list(args: argparse.Namespace, db: Database, t: Translator) -> None:
    staff = db.call(lambda s: list_staff(session=s, org_code=args.org))
    if not staff:
        print(t.plain("cli.staff.none"))
    for member in staff:
        state = "active" if member.active else "revoked"
        enrolled = "enrolled" if member.telegram_user_id else "invited"
        print(
            f"{member.id}\t{member.role}\t{member.org_code}\t{member.name or '-'}\t"
            f"{mask_phone(member.phone) or '-'}\t{enrolled}\t{state}"
        )


def _staff_revoke(
    args: argparse.Namespace, db: Database, t: Translator, settings: Settings
) -> None:
    from bot.care.escalations import EscalationPolicy

    db.call(
        lambda s: revoke_staff(
            session=s,
            staff_id=args.id,
            actor=Actor.cli(),
            now=system_clock(),
            escalation=EscalationPolicy.from_settings(settings),
        )
    )
    print(t.plain("cli.staff.revoked", id=args.id))


def _escalations_unrouted(args: argparse.Namespace, db: Database, t: Translator) -> None:
    from bot.care.escalations import unrouted_lines

    def work(session: Session) -> list[str]:
        prefix = area_prefix_of(session=session, code=args.under)
        return unrouted_lines(session=session, area_prefix=prefix)

    lines = db.call(work)
    print("\n".join(lines) if lines else t.plain("ladder.cli.none_unrouted"))


def _backup(args: argparse.Namespace, t: Translator, settings: Settings) -> None:
    from bot.backup import backup_database, shown_url

    done = backup_database(database_url=settings.database_url, out=args.out, actor=Actor.cli())
    print(
        t.plain(
            "cli.backup.done",
            database=shown_url(settings.database_url),
            path=done.path,
            size=f"{done.size / 1_000_000:.1f} MB",
            revision=done.revision or "-",
        )
    )


def _restore(args: argparse.Namespace, t: Translator, settings: Settings) -> None:
    from bot.backup import restore_database, shown_url

    done = restore_database(database_url=settings.database_url, backup=args.file, actor=Actor.cli())
    keys = {
        "current": N_("cli.restore.current"),
        "older": N_("cli.restore.older"),
        "newer": N_("cli.restore.newer"),
    }
    where = shown_url(settings.database_url)
    print(t.plain(keys[done.schema], path=args.file, url=where, revision=done.revision or "-"))


def _keys_rotate(args: argparse.Namespace, db: Database, t: Translator, keyring: Keyring) -> None:
    from bot.keys import rotate_keys

    count = rotate_keys(
        db=db,
        keyring=keyring,
        batch=max(1, args.batch),
        on_batch=lambda table, n: print(t.plain("cli.keys.batch", table=table, count=n)),
    )
    print(t.plain("cli.keys.rotated", count=count, key_id=keyring.current.key_id))


def _audit_show(args: argparse.Namespace, db: Database, t: Translator) -> None:
    from bot.audit import audit_lines

    lines = db.call(lambda s: audit_lines(session=s, child_id=args.child, staff_id=args.staff))
    print("\n".join(lines) if lines else t.plain("cli.audit.none"))


def _import_ledger(
    args: argparse.Namespace, db: Database, t: Translator, settings: Settings
) -> None:
    from bot.imports.cli import run_ledger_import

    run_ledger_import(args, db, t, settings)


def _run_bot(settings: Settings, role: str = "all") -> None:
    from bot.app import run_bot

    run_bot(settings, role)


def _webhook(args: argparse.Namespace, settings: Settings, t: Translator) -> None:
    import asyncio

    from bot.telegram.webhook_admin import delete_webhook, set_webhook, webhook_info

    if args.webhook_command == "set":
        url = asyncio.run(set_webhook(settings))
        print(t.plain("cli.webhook.set", url=url))
    elif args.webhook_command == "delete":
        asyncio.run(delete_webhook(settings))
        print(t.plain("cli.webhook.deleted"))
    else:
        for name, value in asyncio.run(webhook_info(settings)):
            print(f"{name}\t{value}")


def dispatch(args: argparse.Namespace, settings: Settings, t: Translator) -> None:
    """Run the chosen command."""
    if args.command == "run":
        settings.require_token()
        settings.require_keyring()  # refused before anything starts: no key, no personal data
        _run_bot(settings, getattr(args, "role", "all"))
        return
    if args.command == "webhook":
        settings.require_token()
        _webhook(args, settings, t)
        return
    if args.command == "keys" and args.keys_command == "new":
        print(new_key_text())
        return
    # Commands that read personal data refuse to start without the key; the others use it
    # when it is set (an upgrade that must encrypt stored rows says so itself).
    if (
        args.command in ("keys", "audit", "remind", "demo-data", "export", "import")
        or settings.data_key
        or settings.data_key_file
    ):
        crypto.use_keyring(settings.require_keyring())
    if args.command == "db":
        migrate.upgrade(settings.database_url)
        print(t.plain("cli.db.upgraded"))
        return
    db = Database(settings.database_url)
    try:
        handlers: dict[tuple[str, str], Callable[[], None]] = {
            ("org", "add"): lambda: _org_add(args, db, t),
            ("org", "import"): lambda: _org_import(args, db, t),
            ("org", "list"): lambda: _org_list(args, db, t),
            ("staff", "invite"): lambda: _staff_invite(args, db, t, settings),
            ("staff", "list"): lambda: _staff_list(args, db, t),
            ("staff", "revoke"): lambda: _staff_revoke(args, db, t, settings),
            **{
                ("staff", sub): handler
                for sub, handler in county_cli.staff_handlers(args, db, t).items()
            },
            **county_cli.handlers(args, db, t, settings),
            ("remind", ""): lambda: _remind(args, db, t, settings),
            ("demo-data", ""): lambda: _demo(args, db, t, settings),
            ("backup", ""): lambda: _backup(args, t, settings),
            ("restore", ""): lambda: _restore(args, t, settings),
            ("keys", "rotate"): lambda: _keys_rotate(args, db, t, crypto.keyring()),
            ("audit", "show"): lambda: _audit_show(args, db, t),
            ("escalations", "unrouted"): lambda: _escalations_unrouted(args, db, t),
            ("export", "child"): lambda: run_export(args, db, t, settings),
            ("export", "ledger"): lambda: run_export(args, db, t, settings),
            ("import", "ledger"): lambda: _import_ledger(args, db, t, settings),
        }
        sub = getattr(args, f"{args.command.replace('-', '_')}_command", "")
        handlers[(args.command, sub)]()
    finally:
        db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, build the settings once and run the command."""
    args = build_parser().parse_args(argv)
    configure_logging()
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    configure_logging(log_format=settings.log_format)
    t = I18n(settings.bot_locale).translator(settings.bot_locale)
    try:
        dispatch(args, settings, t)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except UserError as exc:
        print(exc.render(t.plain), file=sys.stderr)
        return EXIT_USAGE
    except DataKeyError as exc:  # e.g. a stored value under a key that is not configured
        print(exc, file=sys.stderr)
        return EXIT_FAILURE
    except DBAPIError as exc:  # unreachable server, unwritable file, schema not created
        lines = str(exc.orig or exc).strip().splitlines()
        reason = lines[0] if lines else type(exc).__name__
        print(database_failure(settings.database_url, reason, t), file=sys.stderr)
        return EXIT_FAILURE
    except OSError as exc:  # e.g. the SQLite file's folder cannot be created
        reason = f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
        print(database_failure(settings.database_url, reason, t), file=sys.stderr)
        return EXIT_FAILURE
    return 0


def database_failure(database_url: str, reason: str, t: Translator) -> str:
    """One sentence on why the database could not be used, its password hidden."""
    where = make_url(database_url).render_as_string(hide_password=True)
    return t.plain("cli.error.database", url=where, reason=reason)
