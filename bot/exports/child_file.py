"""One child's file as a sheet laid out like the attachment (个人信息台账): sections down the
left, label and value pairs three to a row, the four quarters' visits one per row."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import Any

import xlsxwriter

from bot.exports.ledger import COLUMNS, ChildLedger, Column, Shown

TITLE = "农村留守儿童和困境儿童个人信息台账"
NOTE = "说明：本表涉及个人信息，要妥善管理，防止泄露。"
PAIRS_PER_ROW = 3
LAST_COLUMN = 2 * PAIRS_PER_ROW  # A is the section, then label/value pairs
UNIT_SECTION = "所属单位"


def _rows(columns: list[Column]) -> list[list[Column]]:
    return [columns[i : i + PAIRS_PER_ROW] for i in range(0, len(columns), PAIRS_PER_ROW)]


def write_child_file(path: Path, ledger: ChildLedger, shown: Shown) -> None:
    """Write one child's ledger to `path` in the attachment's layout."""
    book = xlsxwriter.Workbook(str(path), {"default_date_format": "yyyy-mm-dd"})
    try:
        sheet = book.add_worksheet("个人信息台账")
        border = {"border": 1, "text_wrap": True, "valign": "vcenter"}
        title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
        section = book.add_format({**border, "bold": True, "align": "center"})
        label = book.add_format({**border, "bold": True, "bg_color": "#F2F2F2"})
        value = book.add_format(border)
        day = book.add_format({**border, "num_format": "yyyy-mm-dd", "align": "left"})
        sheet.set_column(0, 0, 12)
        for pair in range(PAIRS_PER_ROW):
            sheet.set_column(1 + 2 * pair, 1 + 2 * pair, 16)
            sheet.set_column(2 + 2 * pair, 2 + 2 * pair, 24)
        sheet.merge_range(0, 0, 0, LAST_COLUMN, TITLE, title)
        sheet.write_string(1, 0, f"{ledger.township} {ledger.village}")
        row = 2

        def cell(row: int, column: int, content: Any) -> None:
            if content is None or content == "":
                sheet.write_blank(row, column, None, value)
            elif hasattr(content, "isoformat"):
                sheet.write_datetime(row, column, content, day)
            elif isinstance(content, int | float):
                sheet.write_number(row, column, content, value)
            else:
                sheet.write_string(row, column, str(content), value)

        for name, group in groupby(COLUMNS, key=lambda c: c.section):
            if name == UNIT_SECTION:
                continue
            columns = list(group)
            first = row
            if len(columns) == 1 and columns[0].header == name:
                # A free-text section (care needs, other notes): one wide cell.
                content = columns[0].value(ledger, shown)
                sheet.merge_range(row, 1, row, LAST_COLUMN, content or "", value)
                row += 1
            else:
                for line in _rows(columns):
                    for index, column in enumerate(line):
                        sheet.write_string(row, 1 + 2 * index, column.header, label)
                        cell(row, 2 + 2 * index, column.value(ledger, shown))
                    for index in range(len(line), PAIRS_PER_ROW):
                        sheet.write_blank(row, 1 + 2 * index, None, value)
                        sheet.write_blank(row, 2 + 2 * index, None, value)
                    row += 1
            if row - 1 > first:
                sheet.merge_range(first, 0, row - 1, 0, name, section)
            else:
                sheet.write_string(first, 0, name, section)
        sheet.write_string(row + 1, 0, NOTE)
    finally:
        book.close()
