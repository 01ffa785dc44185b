"""Idle memory: the resident size of `python -m bot run` once it has started and gone quiet.

The bot starts against the fake Bot API on a freshly migrated database, polls, runs its
start-up jobs (the reminder sweep, the outbox), and then sits idle; its resident set size
(VmRSS) is read from /proc after a settling pause. Memory under load is the sweep's figure.

    python -m benchmarks.idle_memory
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.chat_throughput import wait_polling
from benchmarks.common import BenchOptions, Figure, bench_data_key
from storage.migrate import upgrade
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotProcess

BENCHMARK = "idle_memory"
TOKEN = "123456:BENCH-idle_memory"
SETTLE_SECONDS = 5.0


def resident_mb(pid: int) -> float:
    """The process's resident set size now, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc status")


def idle_rss(url: str, log: Path) -> float:
    """Start the bot, wait until it polls and settles, and read its resident memory."""
    fake = FakeTelegram(token=TOKEN, bot_username="guanai_bench_bot").start()
    bot = None
    try:
        env = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": fake.api_url,
            "DATABASE_URL": url,
            "DATA_KEY": bench_data_key(),
        }
        bot = BotProcess(env, log).start()
        wait_polling(fake, bot)
        time.sleep(SETTLE_SECONDS)
        assert bot.process is not None
        return resident_mb(bot.process.pid)
    finally:
        if bot is not None:
            bot.stop()
        fake.stop()


def run(options: BenchOptions) -> list[Figure]:
    options.work_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="idle-", dir=options.work_dir))
    url = options.database_url or f"sqlite:///{folder / 'guanai.db'}"
    upgrade(url)
    rss = idle_rss(url, folder / "bot.log")
    shutil.rmtree(folder, ignore_errors=True)
    return [Figure(BENCHMARK, "resident memory", round(rss, 1), "MB")]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Resident memory of the idle bot.")
    parser.add_argument("--database-url", default="", help="an empty database (default SQLite)")
    args = parser.parse_args(argv)
    for figure in run(BenchOptions(database_url=args.database_url)):
        print(f"{figure.name}: {figure.value} {figure.unit}")


if __name__ == "__main__":
    main()
