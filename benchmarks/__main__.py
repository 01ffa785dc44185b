"""Run every benchmark, print a table and write the figures as JSON (`make bench`)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import traceback
from dataclasses import replace
from datetime import UTC, datetime

from benchmarks.common import RESULTS_DIR, BenchOptions, Figure, fresh_database, machine

BENCHMARKS = (
    "sweep",
    "outbox_rate",
    "chat_throughput",
    "web_scale",
    "idle_memory",
    "export",
    "stats",
    "ledger_import",
)
TINY = {"children": 2_000, "directors": 20, "messages": 300}


def parse() -> tuple[BenchOptions, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--directors", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server URL; each benchmark gets its own new database",
    )
    parser.add_argument("--tiny", action="store_true", help="small sizes, to prove the scripts")
    parser.add_argument("--only", nargs="*", choices=BENCHMARKS, default=list(BENCHMARKS))
    args = parser.parse_args()
    sizes = (
        TINY
        if args.tiny
        else {"children": args.children, "directors": args.directors, "messages": args.messages}
    )
    return BenchOptions(database_url=args.database_url, **sizes), args.only


def table(figures: list[Figure]) -> str:
    rows = [("benchmark", "figure", "value", "target", "met")]
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "NO")
        rows.append((f.benchmark, f.name, f"{f.value:,.2f} {f.unit}", f.target, met))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def main() -> int:
    options, chosen = parse()
    figures: list[Figure] = []
    failed = []
    for name in chosen:
        url = fresh_database(options.database_url, f"bench_{name}", options.work_dir)
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            figures.extend(module.run(replace(options, database_url=url)))
        except Exception:
            failed.append(name)
            traceback.print_exc()
    print(table(figures))
    RESULTS_DIR.mkdir(exist_ok=True)
    report = {
        "at": datetime.now(UTC).isoformat(),
        "machine": machine(),
        "options": {k: str(v) for k, v in vars(options).items()},
        "figures": [f.as_dict() for f in figures],
        "failed": failed,
    }
    path = RESULTS_DIR / "latest.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"figures written to {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
