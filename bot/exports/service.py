"""Exports as one service for chat and the command line: who may export what, building the
file off the caller's transaction, protecting full numbers, the size limit, and the audit log.

Every export and every refusal is written to the audit log: who, which area (or child), the
year, how many rows, and whether numbers were masked. Nothing is written to disk for a refusal.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.errors import UserError
from bot.exports.child_file import write_child_file
from bot.exports.gather import area_facts, area_ledgers
from bot.exports.ledger import Shown
from bot.exports.protect import encrypt_in_place, one_time_password
from bot.exports.workbook import RollUp, write_roll_up
from bot.i18n import N_, Translator
from bot.people.access import Caller
from bot.people.orgs import area_prefix
from bot.people.roles import Action, may
from storage import export_queries, queries
from storage.db import Database

EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class Requester:
    """Who asks for an export: their audit identity, the area they see, full numbers or not."""

    actor: Actor
    area_prefix: str  # "" for the operator at the command line: every area
    full_numbers: bool
    home_org: str | None = None  # the unit exported when no code is given
    allowed: bool = True

    @classmethod
    def of_caller(cls, caller: Caller) -> Requester:
        return cls(
            actor=Actor.staff(caller.staff_id),
            area_prefix=caller.area_prefix,
            full_numbers=may(caller.role, Action.EXPORT_FULL_NUMBERS),
            home_org=caller.org_code,
            allowed=may(caller.role, Action.EXPORT),
        )

    @classmethod
    def operator(cls, *, full_numbers: bool) -> Requester:
        return cls(actor=Actor.cli(), area_prefix="", full_numbers=full_numbers)


@dataclass
class Export:
    """A finished export: its files (one, or one per unit when split), and the password that
    opens them when they hold full numbers."""

    files: list[Path]
    rows: int
    masked: bool
    password: str | None = None
    folder: Path | None = field(default=None, repr=False)
    name: str = ""  # the unit's name, for the message that goes with the file
    year: int = 0
    written: int = 0  # rows in all the tables (children, visits, escalations)

    def discard(self) -> None:
        """Remove the files once they were sent."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


class ExportRefused(UserError):
    """A refused export; the reason is in the audit log as well as the message."""


class _Busy:
    """Whose exports are being built in this process: one at a time per person."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._building: set[str] = set()

    @contextmanager
    def hold(self, who: str) -> Iterator[bool]:
        with self._lock:
            free = who not in self._building
            self._building.add(who)
        try:
            yield free
        finally:
            if free:
                with self._lock:
                    self._building.discard(who)


@contextmanager
def _one_at_a_time(db: Database, who: Requester) -> Iterator[bool]:
    """Yield whether this person may build now: no export of theirs in this process, nor (on
    PostgreSQL, where several web processes serve chat) in any other."""
    with BUSY.hold(who.actor.label) as free:
        if not free or who.actor.staff_id is None:
            yield free
            return
        staff_id = who.actor.staff_id
        with export_queries.person_export_lock(engine=db.engine, staff_id=staff_id) as taken:
            yield taken


BUSY = _Busy()


@dataclass(frozen=True)
class AreaPlan:
    org_code: str
    org_name: str
    prefix: str
    year: int
    parts: tuple[str, ...]  # the units one level down, to split a file that is too big


def _refuse(
    db: Database, who: Requester, key: str, target: str, table: str = "export", **values: object
) -> None:
    """Write the refusal to the audit log in a transaction of its own, then refuse."""
    db.call(
        lambda s: record_audit(
            session=s,
            actor=who.actor,
            action="export.refused",
            table=table,
            record_id=target,
            new={"reason": key, **{k: str(v) for k, v in values.items()}},
        )
    )
    raise ExportRefused(key, **values)


def _plan(session: Session, who: Requester, org_code: str, year: int) -> AreaPlan | str:
    org = queries.get_org(session=session, code=org_code)
    if org is None:
        return N_("export.error.unknown_org")
    if not org.code.startswith(who.area_prefix):
        return N_("export.error.outside_area")
    prefix = area_prefix(org)
    parts = tuple(
        o.code
        for o in queries.list_orgs(session=session, prefix=prefix)
        if o.parent_code == org.code
    )
    return AreaPlan(org.code, org.name, prefix, year, parts)


def _check_year(
    db: Database, who: Requester, year: int, today: date, target: str, table: str = "export"
) -> None:
    if year > today.year:
        _refuse(db, who, N_("export.error.future_year"), target, table, year=year)
    if year < EARLIEST_YEAR:
        key = N_("export.error.early_year")
        _refuse(db, who, key, target, table, year=year, earliest=EARLIEST_YEAR)


def _build_area(
    db: Database, plan: AreaPlan, prefix: str, path: Path, shown: Shown, tz: tzinfo
) -> RollUp:
    def work(session: Session) -> RollUp:
        facts = area_facts(session=session, area_prefix=prefix)
        return write_roll_up(
            session=session,
            path=path,
            area_prefix=prefix,
            facts=facts,
            shown=shown,
            year=plan.year,
            tz=tz,
        )

    return db.read(work)


def export_area(
    db: Database,
    who: Requester,
    *,
    org_code: str | None,
    year: int | None,
    today: date,
    tz: tzinfo,
    zh: Translator,
    max_bytes: int | None = None,
    password: str | None = None,
) -> Export:
    """Build an area's roll-up workbook (split by unit when over `max_bytes`), audited.

    Blocking: chat runs it in a worker thread. Raises ExportRefused with a catalog key.
    """
    code = (org_code or who.home_org or "").strip()
    if not who.allowed:
        _refuse(db, who, N_("export.error.not_allowed"), code or "-")
    if not code:
        _refuse(db, who, N_("export.error.org_required"), "-")
    chosen_year = year or today.year
    _check_year(db, who, chosen_year, today, code)
    plan = db.read(lambda s: _plan(s, who, code, chosen_year))
    if isinstance(plan, str):
        _refuse(db, who, plan, code, code=code)
    assert isinstance(plan, AreaPlan)
    with _one_at_a_time(db, who) as free:
        if not free:
            _refuse(db, who, N_("export.error.busy"), code)
        return _export_area(db, who, plan, tz, zh, max_bytes, password)


def _export_area(
    db: Database,
    who: Requester,
    plan: AreaPlan,
    tz: tzinfo,
    zh: Translator,
    max_bytes: int | None,
    password: str | None,
) -> Export:
    shown = Shown(zh, full_numbers=who.full_numbers)
    secret = (password or one_time_password()) if who.full_numbers else None
    folder = Path(tempfile.mkdtemp(prefix="guanai-export-"))
    export = Export([], 0, masked=not who.full_numbers, password=secret, folder=folder)
    export.name, export.year = plan.org_name, plan.year
    try:
        whole = folder / f"ledger-{plan.org_code}-{plan.year}.xlsx"
        done = _build_area(db, plan, plan.prefix, whole, shown, tz)
        export.rows = done.children
        export.written = done.children + done.visits + done.escalations
        export.files = [whole]
        if max_bytes is not None and whole.stat().st_size > max_bytes:
            export.files = _split(db, plan, folder, shown, tz, max_bytes, whole)
        if secret is not None:
            for path in export.files:
                encrypt_in_place(path, secret)
            if max_bytes is not None and any(p.stat().st_size > max_bytes for p in export.files):
                raise ExportRefused(N_("export.error.too_big"))
    except ExportRefused as refused:
        export.discard()
        _refuse(db, who, refused.key, plan.org_code)
    except BaseException:
        export.discard()
        raise
    _audit_export(db, who, "export.ledger", plan.org_code, export, year=plan.year)
    return export


def _split(
    db: Database,
    plan: AreaPlan,
    folder: Path,
    shown: Shown,
    tz: tzinfo,
    max_bytes: int,
    whole: Path,
) -> list[Path]:
    """One file per unit one level down; refused when there is none or one is still too big."""
    whole.unlink()
    if not plan.parts:
        raise ExportRefused(N_("export.error.too_big"))
    files = []
    for code in plan.parts:
        path = folder / f"ledger-{code}-{plan.year}.xlsx"
        _build_area(db, plan, code, path, shown, tz)
        if path.stat().st_size > max_bytes:
            raise ExportRefused(N_("export.error.too_big"))
        files.append(path)
    return files


def _audit_export(
    db: Database,
    who: Requester,
    action: str,
    target: str,
    export: Export,
    table: str = "export",
    **extra: object,
) -> None:
    db.call(
        lambda s: record_audit(
            session=s,
            actor=who.actor,
            action=action,
            table=table,
            record_id=target,
            new={
                "rows": export.rows,
                "masked": export.masked,
                "files": len(export.files),
                "encrypted": export.password is not None,
                **extra,
            },
        )
    )


def export_child(
    db: Database,
    who: Requester,
    *,
    child_id: int,
    today: date,
    zh: Translator,
    year: int | None = None,
    password: str | None = None,
) -> Export:
    """Build one child's file in the attachment's layout, audited; refused outside the area."""
    # Audited against the file itself, so `audit show --child` lists who exported it.
    target = str(child_id)
    if not who.allowed:
        _refuse(db, who, N_("export.error.not_allowed"), target, table="child")
    chosen_year = year or today.year
    _check_year(db, who, chosen_year, today, target, table="child")
    village = db.read(lambda s: export_queries.child_village(session=s, child_id=child_id))
    if village is None or not village.startswith(who.area_prefix):
        _refuse(db, who, N_("export.error.child_not_found"), target, table="child", id=child_id)
    assert village is not None
    shown = Shown(zh, full_numbers=who.full_numbers)
    secret = (password or one_time_password()) if who.full_numbers else None
    folder = Path(tempfile.mkdtemp(prefix="guanai-export-"))
    export = Export([], 0, masked=not who.full_numbers, password=secret, folder=folder)
    with _one_at_a_time(db, who) as free:
        if not free:
            export.discard()
            _refuse(db, who, N_("export.error.busy"), target, table="child")
        try:
            path = folder / f"child-{child_id}.xlsx"

            def work(session: Session) -> int:
                facts = area_facts(session=session, area_prefix=village)
                for chunk in area_ledgers(
                    session=session,
                    area_prefix=village,
                    facts=facts,
                    shown=shown,
                    year=chosen_year,
                    child_id=child_id,
                ):
                    for ledger in chunk:
                        write_child_file(path, ledger, shown)
                        return 1
                return 0

            export.rows = db.read(work)
            export.files = [path]
            if secret is not None:
                encrypt_in_place(path, secret)
        except BaseException:
            export.discard()
            raise
    _audit_export(db, who, "export.child", target, export, table="child", year=chosen_year)
    return export


def move_to(export: Export, out: Path) -> list[Path]:
    """Move an export's files to `out` (a file; split parts get the part's code appended)."""
    moved = []
    for path in export.files:
        target = (
            out if len(export.files) == 1 else out.with_name(f"{out.stem}-{path.stem}{out.suffix}")
        )
        with suppress(FileNotFoundError):
            target.unlink()
        shutil.move(str(path), target)
        moved.append(target)
    export.discard()
    return moved


def local_now(now: datetime, tz: tzinfo) -> date:
    return now.astimezone(tz).date()
