"""The roll-up workbook's sheets of help given and the work log: the "problems and solutions"
part of the files (section 8), for the year."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session

from bot.exports.gather import AreaFacts, year_span
from bot.exports.ledger import Shown, unit_names
from storage import care_log_queries

HELP_COLUMNS = (
    ("乡镇（街道）", 12),
    ("村（居）", 12),
    ("儿童姓名", 10),
    ("帮扶日期", 12),
    ("帮扶类别", 12),
    ("帮扶人或单位", 20),
    ("说明", 40),
)
WORK_LOG_COLUMNS = (
    ("乡镇（街道）", 12),
    ("村（居）", 12),
    ("日期", 12),
    ("工作内容", 50),
    ("涉及儿童", 30),
)


def help_rows(
    session: Session, prefix: str, facts: AreaFacts, shown: Shown, year: int
) -> Iterator[tuple[Any, ...]]:
    """Every piece of help given in the area during the year, oldest first."""
    start, end = year_span(year)
    for given, child in care_log_queries.help_given_in_area(
        session=session, area_prefix=prefix, since=start, until=end
    ):
        if given.given_on >= end:
            continue
        township, village = unit_names(facts.units, child.village_code)
        yield (
            township,
            village,
            child.name,
            given.given_on,
            shown.label("help", given.kind),
            given.given_by,
            given.note,
        )


def work_log_rows(
    session: Session, prefix: str, facts: AreaFacts, year: int
) -> Iterator[tuple[Any, ...]]:
    """Every work-log entry of the area's directors during the year, with the children named."""
    start, end = year_span(year)
    entries = care_log_queries.work_log_in_area(
        session=session, area_prefix=prefix, since=start, until=end
    )
    names = care_log_queries.child_names(
        session=session, child_ids=sorted({c for _, ids in entries for c in ids})
    )
    for entry, child_ids in entries:
        if entry.done_on >= end:
            continue
        township, village = unit_names(facts.units, entry.village_code)
        named = "、".join(names.get(c, "") for c in child_ids)
        yield (township, village, entry.done_on, entry.what, named)
