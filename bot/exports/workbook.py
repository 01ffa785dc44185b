"""An area's roll-up workbook, streamed: the ledger, visits, escalations and a unit summary.

XlsxWriter in constant-memory mode writes each row to its sheet's temporary file as soon as the
next one starts, so memory stays flat however many children the area has. Dates are written as
Excel dates, amounts as numbers; every sheet's header row is frozen and its widths set.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlmodel import Session
from xlsxwriter.worksheet import Worksheet

from bot.care.cards import INFORMED
from bot.exports.care_log import HELP_COLUMNS, WORK_LOG_COLUMNS, help_rows, work_log_rows
from bot.exports.gather import AreaFacts, area_ledgers, year_span
from bot.exports.ledger import COLUMNS, Shown, ledger_values, problems_text, unit_names
from storage import escalation_queries, export_queries

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "default_date_format": "yyyy-mm-dd",
    "remove_timezone": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,  # a name typed as "=..." stays text
    "strings_to_urls": False,
}
VISIT_COLUMNS = (
    ("乡镇（街道）", 12),
    ("村（居）", 12),
    ("儿童姓名", 10),
    ("身份证号码", 21),
    ("走访日期", 12),
    ("方式", 10),
    ("是否见到儿童本人", 10),
    ("发现的问题", 30),
    ("解决措施", 30),
    ("关爱服务需求", 24),
    ("走访前风险等级", 10),
    ("走访后风险等级", 10),
    ("紧急情况", 16),
    ("需上报关注", 10),
)
ESCALATION_COLUMNS = (
    ("乡镇（街道）", 12),
    ("村（居）", 12),
    ("儿童姓名", 10),
    ("紧急", 6),
    ("上报原因", 36),
    ("当前层级", 10),
    ("状态", 10),
    ("上报时间", 18),
    ("办理期限", 18),
    ("处理结果", 30),
    ("已通知（报警、急救、学校等）", 40),
)
SUMMARY_COLUMNS = (
    ("乡镇（街道）", 12),
    ("村（居）", 12),
    ("儿童数", 8),
    ("农村留守儿童", 10),
    ("困境儿童", 10),
    ("低风险", 8),
    ("中风险", 8),
    ("高风险", 8),
    ("本年走访次数", 12),
    ("本年预警上报", 12),
    ("未办结预警", 12),
)
LEVELS = {"township": "乡镇", "county": "县级", "city": "市级", "province": "省级"}
STATES = {"open": "待处理", "acknowledged": "已接收", "resolved": "已办结"}
YES_NO = {True: "是", False: "否"}
SUMMED = ("children", "left_behind", "difficulty", "low", "medium", "high")


def write_row(sheet: Worksheet, row: int, values: Sequence[Any]) -> None:
    """Write one row, skipping empty cells; strings and numbers by the direct methods."""
    write_string, write_number = sheet.write_string, sheet.write_number
    for column, value in enumerate(values):
        if value is None or value == "":
            continue
        kind = type(value)
        if kind is str:
            write_string(row, column, value)
        elif kind is int or kind is float:
            write_number(row, column, value)
        else:
            sheet.write(row, column, value)


MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header included


class SheetStream:
    """A table written row by row; past Excel's last row it goes on in a new sheet (name 2, …)."""

    def __init__(
        self, book: xlsxwriter.Workbook, name: str, columns: Iterable[tuple[str, int]]
    ) -> None:
        self.book = book
        self.name = name
        self.columns = list(columns)
        self.header = book.add_format({"bold": True, "text_wrap": True, "bg_color": "#DDEBF7"})
        self.parts = 0
        self.rows = 0  # data rows written in all
        self.sheet = self._new_sheet()
        self.row = 1

    def _new_sheet(self) -> Worksheet:
        self.parts += 1
        sheet = self.book.add_worksheet(
            self.name if self.parts == 1 else f"{self.name}{self.parts}"
        )
        for index, (title, width) in enumerate(self.columns):
            sheet.set_column(index, index, width)
            sheet.write_string(0, index, title, self.header)
        sheet.freeze_panes(1, 0)
        return sheet

    def next_row(self) -> tuple[Worksheet, int]:
        """The sheet and row the next record goes to."""
        if self.row >= MAX_ROWS:
            self.sheet, self.row = self._new_sheet(), 1
        row = self.row
        self.row += 1
        self.rows += 1
        return self.sheet, row

    def write(self, values: Sequence[Any]) -> None:
        sheet, row = self.next_row()
        write_row(sheet, row, values)


@dataclass
class RollUp:
    """How much went into the workbook."""

    children: int = 0
    visits: int = 0
    escalations: int = 0


class _Summary:
    """Counts per village, kept while the sheets are streamed (a few numbers per village)."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)

    def child(self, village: str, category: str, tier: str) -> None:
        counts = self.counts[village]
        counts["children"] += 1
        counts[category] += 1
        counts[tier] += 1


def _ledger_sheet(
    session: Session,
    book: xlsxwriter.Workbook,
    prefix: str,
    facts: AreaFacts,
    shown: Shown,
    year: int,
    summary: _Summary,
) -> int:
    stream = SheetStream(book, "台账", ((c.header, c.width) for c in COLUMNS))
    for chunk in area_ledgers(
        session=session, area_prefix=prefix, facts=facts, shown=shown, year=year
    ):
        for ledger in chunk:
            stream.write(ledger_values(ledger, shown))
            child = ledger.child
            summary.child(child.village_code, child.category, child.risk_tier)
    return stream.rows


def _visit_sheet(
    session: Session,
    book: xlsxwriter.Workbook,
    prefix: str,
    facts: AreaFacts,
    shown: Shown,
    year: int,
    summary: _Summary,
) -> int:
    start, end = year_span(year)
    stream = SheetStream(book, "走访记录", VISIT_COLUMNS)
    for chunk in export_queries.visit_chunks(
        session=session, area_prefix=prefix, start=start, end=end
    ):
        problems: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for visit_id, category, note in export_queries.problems_of_visits(
            session=session, visit_ids=[v.id for v in chunk]
        ):
            problems[visit_id].append((category, note))
        for visit in chunk:
            summary.counts[visit.village_code]["visits"] += 1
            stream.write(visit_values(visit, facts, shown, problems.get(visit.id, [])))
    return stream.rows


def visit_values(
    visit: Any, facts: AreaFacts, shown: Shown, problems: Sequence[tuple[str, str]]
) -> tuple[Any, ...]:
    """One visit's row of the visits sheet."""
    township, village = unit_names(facts.units, visit.village_code)
    return (
        township,
        village,
        visit.child_name,
        shown.id_number(visit.id_number),
        visit.visited_on,
        shown.label("visit_kind", visit.kind),
        YES_NO[bool(visit.seen_in_person)],
        problems_text(shown, problems),
        visit.measures,
        visit.care_needs,
        shown.label("risk", visit.tier_before),
        shown.label("risk", visit.tier_after),
        visit.urgent_note or visit.urgent,
        YES_NO[bool(visit.flagged)],
    )


def _local(moment: datetime | None, tz: tzinfo) -> datetime | None:
    return None if moment is None else moment.astimezone(tz).replace(tzinfo=None)


def informed_text(shown: Shown, records: Sequence[tuple[str, datetime]], tz: tzinfo) -> str:
    """Who else was told of an urgent report and when, in the words of the report's buttons."""
    return "；".join(
        f"{shown.t.plain(INFORMED.get(kind, INFORMED['other']))} {_local(at, tz):%Y-%m-%d %H:%M}"
        for kind, at in records
    )


def _escalation_sheet(
    session: Session,
    book: xlsxwriter.Workbook,
    prefix: str,
    facts: AreaFacts,
    shown: Shown,
    year: int,
    tz: tzinfo,
    summary: _Summary,
) -> int:
    start, end = year_span(year)
    since = datetime(start.year, 1, 1, tzinfo=tz)
    until = datetime(end.year, 1, 1, tzinfo=tz)
    stream = SheetStream(book, "预警上报", ESCALATION_COLUMNS)
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    # Who else was informed (police, ambulance, school): few rows, read once for the area.
    informed: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for record in escalation_queries.informed_in_area(session=session, area_prefix=prefix):
        informed[record.escalation_id].append((record.kind, record.informed_at))
    for chunk in export_queries.escalation_chunks(
        session=session, area_prefix=prefix, since=since, until=until
    ):
        for escalation in chunk:
            township, village = unit_names(facts.units, escalation.village_code)
            counts = summary.counts[escalation.village_code]
            counts["escalations"] += 1
            counts["open_escalations"] += escalation.state != "resolved"
            sheet, row = stream.next_row()
            write_row(
                sheet,
                row,
                (
                    township,
                    village,
                    escalation.child_name,
                    YES_NO[bool(escalation.urgent)],
                    escalation.reason,
                    LEVELS.get(escalation.level, escalation.level),
                    STATES.get(escalation.state, escalation.state),
                    None,
                    None,
                    escalation.resolution,
                    informed_text(shown, informed.get(escalation.id, ()), tz),
                ),
            )
            for column, moment in ((7, escalation.raised_at), (8, escalation.due_by)):
                sheet.write_datetime(row, column, _local(moment, tz), stamp)
    return stream.rows


SUMMARY_KEYS = (*SUMMED, "visits", "escalations", "open_escalations")


def _summary_sheet(book: xlsxwriter.Workbook, summary: _Summary, facts: AreaFacts) -> None:
    stream = SheetStream(book, "按单位汇总", SUMMARY_COLUMNS)
    totals: Counter[str] = Counter()
    for village_code in sorted(summary.counts):
        counts = summary.counts[village_code]
        township, village = unit_names(facts.units, village_code)
        stream.write((township, village, *(int(counts[k]) for k in SUMMARY_KEYS)))
        totals.update(counts)
    total_format = book.add_format({"bold": True})
    sheet, row = stream.next_row()
    sheet.write_string(row, 0, "合计", total_format)
    for index, key in enumerate(SUMMARY_KEYS, start=2):
        sheet.write_number(row, index, int(totals[key]), total_format)


def _table(
    book: xlsxwriter.Workbook,
    name: str,
    columns: Iterable[tuple[str, int]],
    rows: Iterable[Sequence[Any]],
) -> int:
    stream = SheetStream(book, name, columns)
    for row in rows:
        stream.write(row)
    return stream.rows


def write_roll_up(
    *,
    session: Session,
    path: Path,
    area_prefix: str,
    facts: AreaFacts,
    shown: Shown,
    year: int,
    tz: tzinfo,
) -> RollUp:
    """Write the area's roll-up workbook to `path`; return how many rows each table got."""
    book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    try:
        summary = _Summary()
        done = RollUp()
        # Sheets are added as they are written, so a table that runs past Excel's last row
        # continues in the sheet right after it.
        done.children = _ledger_sheet(session, book, area_prefix, facts, shown, year, summary)
        done.visits = _visit_sheet(session, book, area_prefix, facts, shown, year, summary)
        done.escalations = _escalation_sheet(
            session, book, area_prefix, facts, shown, year, tz, summary
        )
        _table(book, "帮扶记录", HELP_COLUMNS, help_rows(session, area_prefix, facts, shown, year))
        _table(book, "工作日志", WORK_LOG_COLUMNS, work_log_rows(session, area_prefix, facts, year))
        _summary_sheet(book, summary, facts)
    finally:
        book.close()
    return done
