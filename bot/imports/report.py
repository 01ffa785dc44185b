"""The import's report: the ledger's rows with a status and one column per problem, and a
summary sheet. Written write-only, row by row, from a second read of the file."""

from __future__ import annotations

import io
from itertools import islice

from bot.i18n import N_, Translator
from bot.imports.ledger import Checked, Summary
from bot.imports.rows import DUPLICATE, ELSEWHERE, HERE, INVALID, VALID
from bot.imports.sheets import open_sheet

STATUS = {
    VALID: N_("import.status.valid"),
    INVALID: N_("import.status.invalid"),
    DUPLICATE: N_("import.status.duplicate"),
    HERE: N_("import.status.here"),
    ELSEWHERE: N_("import.status.elsewhere"),
}


def summary_lines(s: Summary, t: Translator) -> list[tuple[str, int]]:
    """The summary's counts, labelled."""
    return [
        (t.plain("import.summary.rows"), s.rows),
        (t.plain("import.summary.valid"), s.valid),
        (t.plain("import.summary.invalid"), s.invalid),
        (t.plain("import.summary.duplicates"), s.duplicates),
        (t.plain("import.summary.here"), s.here),
        (t.plain("import.summary.elsewhere"), s.elsewhere),
        (t.plain("import.summary.written"), s.written),
    ]


def _cell(value: object) -> object:
    # A formula-looking text is written as text: the report must not run what the file held.
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return value


def write_report(checked: Checked, data: bytes, t: Translator) -> bytes:
    """The report workbook's bytes."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    rows_sheet = book.create_sheet(t.plain("import.report.rows_sheet"))
    width = max((len(r) for r in checked.header), default=0)
    most = max((len(n) for n in checked.notes.values()), default=0)
    added = [t.plain("import.report.status")] + [
        t.plain("import.report.problem", number=n + 1) for n in range(most)
    ]
    header_rows = len(checked.header)
    for index, row in enumerate(checked.header, start=1):
        padded = [_cell(v) for v in row] + [None] * (width - len(row))
        rows_sheet.append(padded + (added if index == header_rows else []))
    for line, row in islice(enumerate(open_sheet(data).rows(), start=1), header_rows, None):
        status = checked.statuses.get(line)
        if status is None:
            continue  # an empty row
        padded = [_cell(v) for v in row[:width]] + [None] * (width - len(row))
        rows_sheet.append([*padded, t.plain(STATUS[status]), *checked.notes.get(line, [])])
    summary = book.create_sheet(t.plain("import.report.summary_sheet"))
    for label, count in summary_lines(checked.summary, t):
        summary.append([label, count])
    if checked.summary.elsewhere:
        summary.append([t.plain("import.summary.transfer", count=checked.summary.elsewhere)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
