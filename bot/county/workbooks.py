"""Workbooks the county and city send up: the spot-check summaries and the progress report.

Written with openpyxl in write-only mode (rows streamed, little memory). Headers are catalog
texts in the reader's locale. Each workbook is returned as bytes, for a file or a chat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is imported when a workbook is made: most processes never make one
    from openpyxl import Workbook

import io
import json
from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session

from bot.county import spotcheck
from bot.county.notices import item_label
from bot.county.progress import Figures, Progress
from bot.errors import UserError
from bot.i18n import N_, Translator
from bot.people.orgs import area_prefix
from storage import queries, spotcheck_queries
from storage.models import OrgLevel


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class CountyResult:
    code: str
    name: str
    drawn: bool
    files: list[spotcheck_queries.SampledFile]

    @property
    def checked(self) -> int:
        return sum(f.checked for f in self.files)

    @property
    def with_problems(self) -> int:
        return sum(1 for f in self.files if f.problems)

    def problems_by_item(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for file in self.files:
            for item, result in json.loads(file.results or "{}").items():
                counts[item] += 0 if result["ok"] else 1
        return counts


def county_results(*, session: Session, org_code: str, year: int) -> list[CountyResult]:
    """Each county's sample and answers in an area (a county itself, a city or a province)."""
    org = queries.get_org(session=session, code=org_code.strip())
    if org is None:
        raise UserError(N_("org.error.unknown"), code=org_code)
    if org.level in (OrgLevel.TOWNSHIP, OrgLevel.VILLAGE):
        raise UserError(N_("coverage.error.level"), code=org.code)
    prefix = area_prefix(org)
    counties = [
        o for o in queries.list_orgs(session=session, prefix=prefix) if o.level == OrgLevel.COUNTY
    ]
    results = []
    for county in counties:
        found = spotcheck_queries.spot_check_of(session=session, county_code=county.code, year=year)
        files = (
            spotcheck_queries.sampled_files(session=session, spot_check_id=found.id)
            if found is not None and found.id is not None
            else []
        )
        results.append(CountyResult(county.code, county.name, found is not None, files))
    return results


def _summary_header(t: Translator) -> list[str]:
    return [
        t.plain("workbook.col.county"),
        t.plain("workbook.col.sampled"),
        t.plain("workbook.col.checked"),
        t.plain("workbook.col.with_problems"),
        *(item_label(t, item) for item in spotcheck.ITEMS),
    ]


def _summary_numbers(result: CountyResult) -> list[int]:
    by_item = result.problems_by_item()
    return [
        len(result.files),
        result.checked,
        result.with_problems,
        *(by_item[item] for item in spotcheck.ITEMS),
    ]


def spot_check_workbook(results: list[CountyResult], t: Translator, *, detail: bool) -> bytes:
    """The summary (one row per county, a total), and with `detail` one row per sampled file."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    summary = book.create_sheet(t.plain("workbook.sheet.summary"))
    summary.append(_summary_header(t))
    numbers = [_summary_numbers(result) for result in results]
    for result, row in zip(results, numbers, strict=True):
        summary.append([f"{result.code} {result.name}", *row])
    if len(results) > 1:
        summary.append(
            [t.plain("workbook.total"), *(sum(column) for column in zip(*numbers, strict=True))]
        )
    if detail:
        sheet = book.create_sheet(t.plain("workbook.sheet.files"))
        sheet.append(
            [
                t.plain("workbook.col.township"),
                t.plain("workbook.col.village"),
                t.plain("workbook.col.child"),
                t.plain("workbook.col.checked"),
                *(item_label(t, item) for item in spotcheck.ITEMS),
            ]
        )
        for result in results:
            for file in result.files:
                answers = json.loads(file.results or "{}")
                cells = [
                    ""
                    if item not in answers
                    else t.plain("spotcheck.choice.ok")
                    if answers[item]["ok"]
                    else f"{t.plain('spotcheck.choice.problem')}: {answers[item]['note']}"
                    for item in spotcheck.ITEMS
                ]
                checked = t.plain("workbook.yes") if file.checked else t.plain("workbook.no")
                sheet.append(
                    [file.township_code, file.village_code, file.child_name, checked, *cells]
                )
    return _bytes(book)


def progress_workbook(report: Progress, t: Translator) -> bytes:
    """The progress report: one row per unit below the area, a total, and villages to staff."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(t.plain("workbook.sheet.progress"))
    sheet.append(
        [
            t.plain(
                "workbook.progress_title",
                org=report.org.name,
                year=report.year,
                day=report.as_of.isoformat(),
            )
        ]
    )
    sheet.append(
        [
            t.plain("workbook.col.unit"),
            t.plain("workbook.col.files"),
            t.plain("workbook.col.visits_done"),
            t.plain("workbook.col.visits_required"),
            t.plain("workbook.col.escalations"),
            t.plain("workbook.col.trained"),
            t.plain("workbook.col.staff"),
            t.plain("workbook.col.villages"),
            t.plain("workbook.col.without_director"),
            t.plain("workbook.col.overloaded"),
            t.plain("workbook.col.sampled"),
            t.plain("workbook.col.checked"),
        ]
    )
    for figures in [*report.rows, report.total]:
        sheet.append(_progress_row(figures, t, total=figures is report.total))
    villages = book.create_sheet(t.plain("workbook.sheet.villages"))
    villages.append(
        [
            t.plain("workbook.col.village"),
            t.plain("workbook.col.files"),
            t.plain("workbook.col.directors"),
            t.plain("workbook.col.directors_needed"),
        ]
    )
    for village in report.total.villages_detail:
        villages.append(
            [
                f"{village.code} {village.name}",
                village.children,
                village.directors,
                village.directors_needed,
            ]
        )
    return _bytes(book)


def _progress_row(figures: Figures, t: Translator, *, total: bool) -> list[object]:
    label = t.plain("workbook.total") if total else f"{figures.code} {figures.name}"
    return [
        label,
        figures.files,
        figures.visits_done,
        figures.visits_required,
        figures.escalations,
        figures.trained,
        figures.staff,
        figures.villages,
        figures.without_director,
        figures.overloaded,
        figures.sampled,
        figures.checked,
    ]
