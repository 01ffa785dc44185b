"""What every benchmark takes and returns, and the helpers they share."""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class BenchOptions:
    """Sizes and the database; `--tiny` in CI only proves the scripts work."""

    children: int = 100_000
    directors: int = 200  # simulated directors for the chat benchmark
    messages: int = 5_000  # outbox messages
    database_url: str = ""  # empty: a fresh SQLite file in a temporary folder
    seed: int = 7
    work_dir: Path = field(default_factory=lambda: Path("/tmp/guanai-bench"))


@dataclass(frozen=True)
class Figure:
    """One measured number, with its unit and an optional target it is compared with."""

    benchmark: str
    name: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Benchmark = Callable[[BenchOptions], list[Figure]]


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """Yield a function that returns the seconds elapsed since the block started."""
    start = time.perf_counter()
    yield lambda: time.perf_counter() - start


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "cores": str(os.cpu_count()),
        "system": platform.platform(),
    }


def fresh_database(base_url: str, suffix: str, work_dir: Path) -> str:
    """Return an empty database for one benchmark: a SQLite file, or a new PostgreSQL database."""
    if not base_url.startswith(("postgres://", "postgresql")):
        work_dir.mkdir(parents=True, exist_ok=True)
        path = work_dir / f"{suffix}.db"
        for leftover in work_dir.glob(f"{suffix}.db*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from storage.db import sqlalchemy_url

    url = make_url(sqlalchemy_url(base_url))
    name = f"{url.database}_{suffix}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def bench_data_key() -> str:
    """The data key for this benchmark run: made once, installed here, passed to bot processes.

    Personal data is encrypted at rest, so the bot processes a benchmark starts need the key
    that the rows it made were written with.
    """
    from storage import crypto

    key = os.environ.setdefault("DATA_KEY", crypto.new_key_text())
    crypto.use_keyring(crypto.load_keyring(key=key))
    return key


def measured_in_child(module: str, *args: str, timeout: float = 3600) -> dict[str, Any]:
    """Run `python -m <module> --measure ARGS` in a fresh process (its memory is the work's own)
    and return the JSON its last line prints."""
    output = subprocess.run(
        [sys.executable, "-m", module, "--measure", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def time_and_memory(
    name: str, figures: dict[str, Any], *, at: str, seconds: float, mb: float, judged: bool
) -> list[Figure]:
    """The wall time (judged only at the target's size, `at`) and the peak memory of a run."""
    return [
        Figure(
            name,
            "seconds",
            figures["seconds"],
            "s",
            f"<= {seconds} s at {at}",
            figures["seconds"] <= seconds if judged else None,
        ),
        Figure(
            name, "peak memory", figures["peak_mb"], "MB", f"<= {mb} MB", figures["peak_mb"] <= mb
        ),
    ]
