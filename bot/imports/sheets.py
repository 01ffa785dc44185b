"""A ledger file's rows, streamed: an .xlsx workbook (read-only mode) or a CSV in UTF-8 or
GB18030. What is not one of these is refused with a message saying what to send instead."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from bot.errors import UserError
from bot.i18n import N_

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# An encrypted .xlsx is an OLE container holding these streams (MS-OFFCRYPTO).
ENCRYPTED_MARKERS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
Row = tuple[object, ...]
MAX_COLUMNS = (
    200  # the attachment's ledger has about 80 columns; extra ones after these are not read
)


@dataclass(frozen=True)
class Sheet:
    """A ledger's content and its kind ("xlsx" or "csv"); rows() streams it from the start."""

    data: bytes
    kind: str
    encoding: str = ""

    def rows(self) -> Iterator[Row]:
        if self.kind == "xlsx":
            yield from _xlsx_rows(self.data)
        else:
            text = io.StringIO(self.data.decode(self.encoding), newline="")
            dialect = _dialect(self.data[:4096].decode(self.encoding, errors="ignore"))
            for row in csv.reader(text, dialect):
                yield tuple(row)


def _xlsx_rows(data: bytes) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged package
        raise UserError(N_("import.error.not_spreadsheet")) from None
    try:
        sheet = book.worksheets[0]
        # A sheet formatted out to column XFD would hand over 16,384 cells a row.
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield _trimmed(row)
    finally:
        book.close()


def _trimmed(row: tuple[object, ...]) -> Row:
    """A row without the empty cells openpyxl pads it with up to the sheet's last column."""
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return row[:end]


def _dialect(sample: str) -> type[csv.Dialect]:
    first = sample.splitlines()[0] if sample else ""
    if first.count("\t") > first.count(","):
        return csv.excel_tab
    return csv.excel


def open_sheet(data: bytes) -> Sheet:
    """Tell what the file is; refuse an encrypted workbook, an old .xls, or anything else."""
    if data.startswith(OLE_MAGIC):
        if any(marker in data for marker in ENCRYPTED_MARKERS):
            raise UserError(N_("import.error.encrypted"))
        raise UserError(N_("import.error.old_xls"))
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                if "xl/workbook.xml" not in package.namelist():
                    raise UserError(N_("import.error.not_spreadsheet"))
        except zipfile.BadZipFile:
            raise UserError(N_("import.error.not_spreadsheet")) from None
        return Sheet(data, "xlsx")
    if b"\x00" in data[:4096] or not data.strip():
        raise UserError(N_("import.error.not_spreadsheet"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        first = text.lstrip().partition("\n")[0]
        if "," not in first and "\t" not in first:  # one column is no ledger: a text or a PDF
            break
        return Sheet(data, "csv", encoding)
    raise UserError(N_("import.error.not_spreadsheet"))
