"""Check a ledger file row by row as the chat intake would, and write it all or (partial) the
valid rows; the same file again changes nothing (one file per ID number)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain, islice

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.care.children import new_file, related_rows
from bot.errors import UserError
from bot.i18n import N_, I18n, Translator
from bot.imports.columns import VILLAGE, ColumnMap, match_header, required_fields
from bot.imports.rows import (
    DUPLICATE,
    ELSEWHERE,
    HERE,
    VALID,
    IntakeChecks,
    RowReader,
    RowResult,
    Villages,
)
from bot.imports.sheets import Row, open_sheet
from storage import import_queries, queries
from storage.crypto import keyring

MAX_ROWS = 100_000
HEADER_SCAN = 12  # the header is within the first rows (a title, group rows, then headers)
BATCH = 500  # rows looked up in the database, and written, together


@dataclass
class Summary:
    """The counts the report's summary sheet shows."""

    rows: int = 0
    valid: int = 0
    invalid: int = 0
    duplicates: int = 0
    here: int = 0
    elsewhere: int = 0
    written: int = 0

    @property
    def all_valid(self) -> bool:
        return self.invalid == self.duplicates == self.elsewhere == 0


@dataclass
class Checked:
    """What a check found: counts, each row's status and notes, and the rows to write."""

    summary: Summary
    columns: ColumnMap
    header: list[Row]
    statuses: dict[int, str] = field(default_factory=dict)
    notes: dict[int, list[str]] = field(default_factory=dict)
    digest: str = ""


def _is_empty(row: Row) -> bool:
    return all(cell is None or not str(cell).strip() for cell in row)


def _data_rows(rows: Iterator[tuple[int, Row]], max_rows: int) -> Iterator[tuple[int, Row]]:
    """Numbered non-empty rows after the header, refusing a file longer than the limit."""
    count = 0
    for line, row in rows:
        if _is_empty(row):
            continue
        count += 1
        if count > max_rows:
            raise UserError(N_("import.error.too_many_rows"), limit=max_rows)
        yield line, row


def _reader(
    session: Session, columns: ColumnMap, org_code: str, today: date, t: Translator, i18n: I18n
) -> RowReader:
    org = queries.get_org(session=session, code=org_code)
    if org is None:
        raise UserError(N_("import.error.org_unknown"), code=org_code)
    villages = import_queries.villages_under(session=session, org_code=org_code)
    only = org.code if org.level == "village" else ""
    missing = [f for f in required_fields() if f.name not in columns.columns]
    names = [t.plain(f.label) for f in missing]
    if not only and VILLAGE not in columns.columns:
        names.insert(0, t.plain("import.column.village"))
    if names:
        raise UserError(N_("import.error.columns_missing"), columns="、".join(names))
    return RowReader(
        columns,
        Villages([(v.code, v.name) for v in villages], only=only),
        today,
        t,
        i18n.translator("zh_Hans"),
    )


def check_ledger(
    *,
    session: Session,
    data: bytes,
    org_code: str,
    today: date,
    t: Translator,
    i18n: I18n,
    write: Callable[[Sequence[RowResult]], None] | None = None,
    max_rows: int = MAX_ROWS,
) -> Checked:
    """Read and check every row, a batch at a time; hand each batch's valid rows to `write`
    (so that only a batch is held at once, whatever the file's length)."""
    sheet = open_sheet(data)
    rows = enumerate(sheet.rows(), start=1)
    header = [row for _line, row in islice(rows, HEADER_SCAN)]
    columns = match_header(header, i18n)
    if columns is None:
        raise UserError(N_("import.error.no_header"))
    reader = _reader(session, columns, org_code, today, t, i18n)
    checked = Checked(Summary(), columns, header[: columns.header_rows])
    checked.digest = hashlib.sha256(data).hexdigest()
    after_header = (
        (line, row) for line, row in enumerate(header, start=1) if line > columns.header_rows
    )
    seen: dict[str, int] = {}
    batch: list[RowResult] = []
    for line, row in _data_rows(chain(after_header, rows), max_rows):
        batch.append(reader.read(line, row))
        if len(batch) == BATCH:
            _judge(session, reader, batch, seen, checked, write, today)
            batch = []
    _judge(session, reader, batch, seen, checked, write, today)
    return checked


def _judge(
    session: Session,
    reader: RowReader,
    batch: Sequence[RowResult],
    seen: dict[str, int],
    checked: Checked,
    write: Callable[[Sequence[RowResult]], None] | None,
    today: date,
) -> None:
    """Look the batch's ID numbers and names up at once, then apply the rules row by row."""
    index = keyring().blind_indexes
    numbers = [r.answers["child_id"] for r in batch if r.answers.get("child_id")]
    holders = import_queries.holders_by_hash(
        session=session, hashes=[h for n in numbers for h in index(n)]
    )
    names = import_queries.name_birth_counts(
        session=session,
        names=[r.answers["child_name"] for r in batch if r.answers.get("child_name")],
    )
    checks = IntakeChecks(today, holders, names, index)
    summary = checked.summary
    for result in batch:
        number = result.answers.get("child_id")
        if number and number in seen:
            result.status = DUPLICATE
            result.problems.append(
                reader.t.plain(
                    "import.problem",
                    field=reader.label("child_id"),
                    why=reader.t.plain("import.error.duplicate_row", line=seen[number]),
                )
            )
        elif number:
            seen[number] = result.line
        reader.judge(result, checks)
        summary.rows += 1
        if result.status == VALID:
            summary.valid += 1
        elif result.status == HERE:
            summary.here += 1
        elif result.status == DUPLICATE:
            summary.duplicates += 1
        elif result.status == ELSEWHERE:
            summary.elsewhere += 1
        else:
            summary.invalid += 1
        checked.statuses[result.line] = result.status
        if result.problems or result.warnings:
            checked.notes[result.line] = [*result.problems, *result.warnings]
    if write is not None:
        write([r for r in batch if r.status == VALID])


def write_rows(
    *, session: Session, rows: Sequence[RowResult], filed_by: int, now: datetime, today: date
) -> None:
    """Write valid rows' files as intake stores them, in the caller's transaction."""
    children = [
        new_file(r.answers, village_code=r.village, filed_by=filed_by, now=now, today=today)
        for r in rows
    ]
    import_queries.insert_children(session=session, children=children)
    related = []
    for child, result in zip(children, rows, strict=True):
        assert child.id is not None
        related.extend(related_rows(child.id, result.answers))
    import_queries.insert_rows(session=session, rows=related)


@dataclass(frozen=True)
class ImportRequest:
    """One import: the file, where it goes, who asks, and how."""

    data: bytes
    file_name: str
    org_code: str
    actor: Actor
    filed_by: int | None = None
    dry_run: bool = False
    partial: bool = False
    max_rows: int = MAX_ROWS
    noted: dict[str, object] = field(default_factory=dict)  # more for the audit row


def import_ledger(
    *,
    session: Session,
    request: ImportRequest,
    now: datetime,
    today: date,
    t: Translator,
    i18n: I18n,
) -> tuple[Checked, int]:
    """Check the file; unless a dry run, write it when every row is valid (or the valid rows,
    partial). Audited either way; returns the check and the audit row's id."""
    write = None
    written = 0
    if not request.dry_run:
        filed_by = request.filed_by or _admin_id(session, request.org_code)

        def write(rows: Sequence[RowResult]) -> None:
            nonlocal written
            write_rows(session=session, rows=rows, filed_by=filed_by, now=now, today=today)
            written += len(rows)

    # Valid rows are written as they are checked, inside a savepoint that is undone at the end
    # unless every row was valid (or only the valid ones were asked for).
    savepoint = session.begin_nested() if write is not None else None
    checked = check_ledger(
        session=session,
        data=request.data,
        org_code=request.org_code,
        today=today,
        t=t,
        i18n=i18n,
        write=write,
        max_rows=request.max_rows,
    )
    summary = checked.summary
    if savepoint is not None:
        if request.partial or summary.all_valid:
            savepoint.commit()
            summary.written = written
        else:
            savepoint.rollback()
    return checked, audit_import(session=session, request=request, checked=checked, now=now)


def audit_import(
    *, session: Session, request: ImportRequest, checked: Checked, now: datetime
) -> int:
    """Record who imported (or checked) which file, and the counts; return the row's id."""
    summary = checked.summary
    entry = record_audit(
        session=session,
        actor=request.actor,
        action="ledger.checked" if request.dry_run else "ledger.imported",
        table="ledger",
        record_id=checked.digest[:16],
        new={
            "file": request.file_name,
            "org": request.org_code,
            "digest": checked.digest,
            "rows": summary.rows,
            "valid": summary.valid,
            "invalid": summary.invalid,
            "duplicates": summary.duplicates,
            "here": summary.here,
            "elsewhere": summary.elsewhere,
            "written": summary.written,
            "partial": request.partial,
            **request.noted,
        },
        at=now,
    )
    session.flush()
    assert entry.id is not None
    return entry.id


def _admin_id(session: Session, org_code: str) -> int:
    """Who files an import from the command line: an admin of the unit or the nearest above."""
    codes = []
    code: str | None = org_code
    while code:
        org = queries.get_org(session=session, code=code)
        if org is None:
            break
        codes.append(org.code)
        code = org.parent_code
    staff = import_queries.admin_of(session=session, org_codes=codes)
    if staff is None or staff.id is None:
        raise UserError(N_("import.error.no_admin"), code=org_code)
    return staff.id
