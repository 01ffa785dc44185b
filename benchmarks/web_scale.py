"""Web scale: chat throughput with two web processes against one, on one PostgreSQL.

K directors file one visit report each at the same time (the chat_throughput script), through
the fake Bot API delivering by webhook to a round-robin proxy in front of one `python -m bot run
--role web` process, then the same load (other directors) in front of two. Both runs are taken
in the same benchmark run, on the same database, so the shared machine's load weighs on both.
The target: two web processes handle at least 1.6 times the updates per second of one.

SQLite runs the bot as one process only: there the benchmark says so and is skipped.

    python -m benchmarks.web_scale --directors 40 --database-url postgresql://.../bench
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from benchmarks.chat_throughput import (
    START_TIMEOUT,
    TIMEOUT,
    VISIT_SCRIPT,
    Measured,
    concurrently,
    latencies,
    percentile,
    play,
    seed,
)
from benchmarks.common import BenchOptions, Figure, bench_data_key
from bot.settings import Settings
from storage.db import Database
from storage.migrate import upgrade
from tests.fakegram import FakeTelegram, FakeUser
from tests.support.botrunner import BotProcess
from tests.support.roundrobin import RoundRobinProxy

BENCHMARK = "web_scale"
TOKEN = "123456:BENCH-web_scale"
SECRET = "bench-web-scale-secret"
TARGET = 1.6


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_listening(port: int, process: BotProcess) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert process.process is not None
        if process.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"a web process did not start:\n{process.output()[-3000:]}")
        time.sleep(0.1)


def measure(url: str, folder: Path, webs: int, codes: list[str], first_user: int) -> Measured:
    """Serve K directors with `webs` web processes behind the proxy; their measured run."""
    fake = FakeTelegram(token=TOKEN, bot_username="guanai_bench_bot").start()
    fake.act_as_local_server()  # webhooks to http://127.0.0.1, as a local Bot API server allows
    # Telegram's update ids only grow; a second fake must not reuse the first one's.
    fake.store.next_update_id = first_user * 100
    ports = [free_port() for _ in range(webs)]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{port}" for port in ports]).start()
    processes: list[BotProcess] = []
    try:
        env = {
            "DATABASE_URL": url,
            "BOT_LOCALE": "zh_Hans",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": fake.api_url,
            "WEBHOOK_URL": f"{proxy.url}/telegram",
            "WEBHOOK_SECRET": SECRET,
            "DATA_KEY": bench_data_key(),
        }
        for n, port in enumerate(ports):
            log = folder / f"web{webs}-{n}.log"
            web_env = env | {"WEBHOOK_LISTEN": f"127.0.0.1:{port}"}
            processes.append(BotProcess(web_env, log, args=("run", "--role", "web")).start())
        for port, process in zip(ports, processes, strict=True):
            wait_listening(port, process)
        answer = httpx.post(
            f"{fake.api_url}{TOKEN}/setWebhook",
            json={"url": env["WEBHOOK_URL"], "secret_token": SECRET},
            timeout=10,
        )
        answer.raise_for_status()
        people = [fake.user(first_user + n, first_name=f"主任{n + 1}") for n in range(len(codes))]
        code_of = {user.id: code for user, code in zip(people, codes, strict=True)}

        def enrol(user: FakeUser) -> None:
            user.send(f"/start {code_of[user.id]}")
            user.wait_for_text("欢迎您", timeout=TIMEOUT)

        concurrently(people, enrol)
        fake.wait_idle(TIMEOUT)
        measured = Measured()
        measured.wall = concurrently(people, lambda u: play(u, VISIT_SCRIPT, measured, echo=False))
        measured.latencies = latencies(fake, measured)
        return measured
    finally:
        for process in processes:
            process.stop()
        proxy.stop()
        fake.stop()


def figures(k: int, one: Measured, two: Measured) -> list[Figure]:
    result = [Figure(BENCHMARK, "directors", k, "users")]
    for name, run in (("one_web", one), ("two_webs", two)):
        result += [
            Figure(BENCHMARK, f"{name}_updates_per_s", round(run.rate, 1), "updates/s"),
            Figure(BENCHMARK, f"{name}_p95", round(percentile(run.latencies, 0.95) * 1000), "ms"),
        ]
    ratio = two.rate / one.rate if one.rate else 0.0
    result.append(
        Figure(BENCHMARK, "two_vs_one_web", round(ratio, 3), "x", f">= {TARGET}", ratio >= TARGET)
    )
    return result


def run(options: BenchOptions) -> list[Figure]:
    url = options.database_url
    if not url.startswith(("postgres://", "postgresql")):
        print("web_scale needs PostgreSQL (--database-url postgresql://...): skipped on SQLite")
        return []
    k = options.directors
    options.work_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="web-", dir=options.work_dir))
    try:
        upgrade(url)
        db = Database(url)
        try:
            bench_data_key()  # the rows are written with the key the web processes get
            codes = seed(db, 2 * k, Settings(_env_file=None).timezone)  # type: ignore[call-arg]
        finally:
            db.dispose()
        one = measure(url, folder, 1, codes[:k], 10_000)
        two = measure(url, folder, 2, codes[k:], 20_000)
    except Exception as error:
        error.add_note(f"the web processes' logs are kept in {folder}")
        raise
    shutil.rmtree(folder, ignore_errors=True)
    return figures(k, one, two)


def main(argv: Sequence[str] | None = None) -> None:
    defaults = BenchOptions()
    parser = argparse.ArgumentParser(description="Two web processes against one.")
    parser.add_argument("--directors", type=int, default=defaults.directors)
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database")
    parser.add_argument("--work-dir", type=Path, default=defaults.work_dir)
    args = parser.parse_args(argv)
    options = BenchOptions(
        directors=args.directors, database_url=args.database_url, work_dir=args.work_dir
    )
    for f in run(options):
        met = f"  (target {f.target}: {'met' if f.met else 'NOT met'})" if f.target else ""
        print(f"{f.name:<22} {f.value:>10} {f.unit}{met}")


if __name__ == "__main__":
    main()
