"""The reminder sweep at scale: time and peak memory of computing every digest (a dry run)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.common import (
    BenchOptions,
    Figure,
    bench_data_key,
    fresh_database,
    measured_in_child,
    peak_rss_mb,
    stopwatch,
    time_and_memory,
)
from bot.demo import generate
from bot.i18n import default_i18n
from bot.notify.render import Renderer
from bot.reminders.sweep import sweep
from storage import migrate
from storage.db import Database

AS_OF = date(2026, 12, 1)  # a first of the month: director digests and overdue alerts both
TARGET_SECONDS, TARGET_MB = 5.0, 300.0


def prepare(options: BenchOptions, children: int) -> str:
    """Return the URL of a database holding `children` synthetic children."""
    url = options.database_url or fresh_database("", f"sweep-{children}", options.work_dir)
    migrate.upgrade(url)
    db = Database(url)
    try:
        with stopwatch() as elapsed:
            generate(db.engine, children=children, seed=options.seed, today=AS_OF)
        print(f"generated {children} children in {elapsed():.1f} s", file=sys.stderr)
    finally:
        db.dispose()
    return url


def own_peak_mb() -> float:
    """Peak resident memory of this process image, in MB.

    getrusage also counts the peak of the process that spawned this one (Linux folds it in at
    exec), so the parent's data generation would pass for the sweep's memory; /proc's VmHWM is
    this image's own.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return peak_rss_mb()
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return peak_rss_mb()


def measure(url: str) -> dict[str, float]:
    """Run one dry-run sweep in this process; return seconds, digests and peak memory."""
    db = Database(url)
    try:
        with stopwatch() as elapsed:
            result = db.call(
                lambda s: sweep(
                    session=s,
                    today=AS_OF,
                    now=datetime.now(UTC),
                    tz=ZoneInfo("Asia/Shanghai"),
                    quiet=None,
                    dry_run=True,
                    collect=False,
                    # Render every digest, as `python -m bot remind --dry-run` does.
                    renderer=Renderer(default_i18n()),
                    on_message=lambda recipient, message: None,
                )
            )
            seconds = elapsed()
    finally:
        db.dispose()
    return {"seconds": seconds, "digests": result.count, "peak_mb": own_peak_mb()}


def run(options: BenchOptions) -> list[Figure]:
    """Measure the sweep in a fresh process, so its memory is the sweep's own."""
    bench_data_key()
    url = prepare(options, options.children)
    figures = measured_in_child("benchmarks.sweep", url)
    backend = url.split(":", 1)[0].split("+", 1)[0]
    name = f"sweep {options.children} children ({backend})"
    # The time target is set for a million children; smaller runs are reported, not judged.
    judged = options.children >= 1_000_000
    return [
        *time_and_memory(
            name, figures, at="1,000,000", seconds=TARGET_SECONDS, mb=TARGET_MB, judged=judged
        ),
        Figure(name, "digests", figures["digests"], "messages"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measure", help="measure the sweep on this DATABASE_URL and print JSON")
    parser.add_argument("--children", type=int, default=10_000)
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
