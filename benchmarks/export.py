"""The ledger roll-up export at scale: rows per second, peak memory, and the ratio to writing the
same rows with bare XlsxWriter in the same run; and a county-size area exported as chat does it.

The measuring runs in a fresh process (`--measure`), so its peak memory is the export's own and
not the data generation's. The roll-up of the whole province is exported masked (as for a
supervisor: no encryption, which holds the file in memory); the county-size area is exported
as for an admin, with full numbers, encrypted, under the 50 MB limit, as chat would.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter

from benchmarks.common import (
    BenchOptions,
    Figure,
    bench_data_key,
    fresh_database,
    measured_in_child,
    stopwatch,
)
from benchmarks.sweep import own_peak_mb
from bot.demo import generate
from bot.exports.gather import area_facts, area_ledgers, year_span
from bot.exports.ledger import COLUMNS, Shown, ledger_values
from bot.exports.service import Requester, export_area
from bot.exports.workbook import VISIT_COLUMNS, WORKBOOK_OPTIONS, visit_values
from bot.i18n import I18n
from storage import export_queries, migrate
from storage.db import Database

AS_OF = date(2026, 12, 1)
TZ = ZoneInfo("Asia/Shanghai")
PROVINCE = "350000"
COUNTY_SIZE_AREA = "350100"  # the first city: about 24,000 children at a million
TARGET_ROWS_PER_S, TARGET_MB, TARGET_RATIO, TARGET_CHAT_S = 20_000.0, 300.0, 0.7, 5.0
COUNTY_CHILDREN = 20_000


def prepare(options: BenchOptions) -> str:
    """Return the URL of a database holding the synthetic province."""
    url = options.database_url or fresh_database("", f"export-{options.children}", options.work_dir)
    migrate.upgrade(url)
    db = Database(url)
    try:
        with stopwatch() as elapsed:
            generate(db.engine, children=options.children, seed=options.seed, today=AS_OF)
        print(f"generated {options.children} children in {elapsed():.1f} s", file=sys.stderr)
    finally:
        db.dispose()
    return url


def _samples(db: Database, shown: Shown) -> tuple[list[list[Any]], list[tuple[Any, ...]]]:
    """Real ledger and visit rows (one chunk of each) to write again with bare XlsxWriter."""

    def work(session: Any) -> tuple[list[list[Any]], list[tuple[Any, ...]]]:
        facts = area_facts(session=session, area_prefix=PROVINCE[:2])
        ledgers = next(
            area_ledgers(
                session=session, area_prefix=PROVINCE[:2], facts=facts, shown=shown, year=2026
            ),
            [],
        )
        start, end = year_span(AS_OF.year)
        visits = next(
            export_queries.visit_chunks(
                session=session, area_prefix=PROVINCE[:2], start=start, end=end
            ),
            [],
        )
        return (
            [ledger_values(ledger, shown) for ledger in ledgers],
            [visit_values(visit, facts, shown, []) for visit in visits],
        )

    return db.read(work)


def bare_seconds(
    path: Path, ledgers: list[list[Any]], visits: list[tuple[Any, ...]], counts: tuple[int, int]
) -> float:
    """Seconds bare XlsxWriter (constant memory) takes to write the same number of rows."""
    with stopwatch() as elapsed:
        book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
        for name, columns, sample, count in (
            ("台账", [(c.header, c.width) for c in COLUMNS], ledgers, counts[0]),
            ("走访记录", list(VISIT_COLUMNS), visits, counts[1]),
        ):
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, [title for title, _ in columns])
            for row in range(count):
                sheet.write_row(row + 1, 0, sample[row % len(sample)] if sample else ())
        book.close()
        return elapsed()


def measure(url: str) -> dict[str, float]:
    """Export the province, then the county-size area, then write the rows bare; in this process."""
    db = Database(url)
    zh = I18n().translator("zh_Hans")
    try:
        with stopwatch() as elapsed:
            export = export_area(
                db,
                Requester.operator(full_numbers=False),
                org_code=PROVINCE,
                year=AS_OF.year,
                today=AS_OF,
                tz=TZ,
                zh=zh,
            )
            seconds = elapsed()
        peak = own_peak_mb()
        size_mb = export.files[0].stat().st_size / 1e6
        export.discard()
        county_children = db.read(
            lambda s: export_queries.count_children(session=s, area_prefix=COUNTY_SIZE_AREA[:4])
        )
        with stopwatch() as elapsed:
            county = export_area(
                db,
                Requester.operator(full_numbers=True),
                org_code=COUNTY_SIZE_AREA,
                year=AS_OF.year,
                today=AS_OF,
                tz=TZ,
                zh=zh,
                max_bytes=50 * 1024 * 1024,
            )
            county_seconds = elapsed()
        county.discard()
        ledgers, visits = _samples(db, Shown(zh, full_numbers=False))
        with tempfile.TemporaryDirectory() as folder:
            bare = bare_seconds(
                Path(folder) / "bare.xlsx",
                ledgers,
                visits,
                (export.rows, export.written - export.rows),
            )
    finally:
        db.dispose()
    return {
        "seconds": seconds,
        "rows": export.rows,
        "written": export.written,
        "peak_mb": peak,
        "size_mb": size_mb,
        "bare_seconds": bare,
        "county_children": county_children,
        "county_seconds": county_seconds,
    }


def run(options: BenchOptions) -> list[Figure]:
    """Generate the province, then measure in a fresh process."""
    bench_data_key()  # the measuring process inherits DATA_KEY through the environment
    url = prepare(options)
    f = measured_in_child("benchmarks.export", url, timeout=7200)
    backend = url.split(":", 1)[0].split("+", 1)[0]
    name = f"export roll-up {options.children} children ({backend})"
    rate = f["rows"] / f["seconds"]
    ratio = f["bare_seconds"] / f["seconds"]
    print(f"export ÷ bare XlsxWriter: {ratio:.2f}", file=sys.stderr)
    judged = options.children >= 1_000_000
    county = f"export county-size area {int(f['county_children'])} children ({backend})"
    return [
        Figure(
            name,
            "children rows/s",
            rate,
            "rows/s",
            f">= {TARGET_ROWS_PER_S:,.0f} at 1,000,000",
            rate >= TARGET_ROWS_PER_S if judged else None,
        ),
        Figure(name, "all rows/s (visits too)", f["written"] / f["seconds"], "rows/s"),
        Figure(name, "seconds", f["seconds"], "s"),
        Figure(
            name, "peak memory", f["peak_mb"], "MB", f"<= {TARGET_MB} MB", f["peak_mb"] <= TARGET_MB
        ),
        Figure(name, "file size", f["size_mb"], "MB"),
        Figure(
            name,
            "ratio to bare XlsxWriter",
            ratio,
            "x",
            f">= {TARGET_RATIO}",
            ratio >= TARGET_RATIO,
        ),
        Figure(
            county,
            "ready (admin, encrypted)",
            f["county_seconds"],
            "s",
            f"<= {TARGET_CHAT_S} s at {COUNTY_CHILDREN:,}",
            f["county_seconds"] <= TARGET_CHAT_S
            if f["county_children"] >= COUNTY_CHILDREN
            else None,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measure", help="measure the export on this DATABASE_URL, print JSON")
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.measure:
        bench_data_key()
        print(json.dumps(measure(args.measure)))
        return
    options = BenchOptions(
        children=args.children, database_url=args.database_url, work_dir=Path("/tmp/guanai-bench")
    )
    for figure in run(options):
        print(figure)


if __name__ == "__main__":
    main()
