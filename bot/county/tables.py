"""Read a small table (CSV in UTF-8 or GB18030, or an .xlsx sheet) into rows of named cells."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.errors import UserError
from bot.i18n import N_


@dataclass(frozen=True)
class Row:
    line: int  # where the row is in the file (the header is line 1)
    cells: dict[str, str]


def read_table(path: Path) -> list[Row]:
    """The rows under the header line, empty rows left out; a UserError when unreadable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(N_("table.error.read"), path=str(path), reason=exc.strerror) from None
    grid = _xlsx_grid(data, path) if path.suffix.lower() == ".xlsx" else _csv_grid(data, path)
    return list(_rows(grid))


def _csv_grid(data: bytes, path: Path) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error:
            break
    raise UserError(N_("table.error.format"), path=str(path))


def _xlsx_grid(data: bytes, path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        raise UserError(N_("table.error.format"), path=str(path)) from None
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(grid: list[list[str]]) -> Iterator[Row]:
    if not grid:
        return
    names = [name.strip() for name in grid[0]]
    for index, cells in enumerate(grid[1:], start=2):
        values = {name: (cell or "").strip() for name, cell in zip(names, cells, strict=False)}
        if any(values.values()):
            yield Row(index, values)
