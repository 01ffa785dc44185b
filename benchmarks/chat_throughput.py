"""Chat throughput: K directors filing visit reports at once, against a bare echo bot's floor.

The real bot (`python -m bot run`) serves K simulated directors over HTTP through the fake Bot
API (`tests/fakegram`), each filing one visit report at the same time: the menu text, the child
picker and every form step up to Save, 19 updates each. A bare python-telegram-bot echo bot
(`benchmarks/echo_bot.py`, PTB's defaults) serves K users sending the same number and mix of
updates (texts, and presses on its button) through a fresh fake, once just before Guanai and
once just after: the framework floor, both runs taken together.

Latency is read on the fake's clock: from just before the user's update is queued to the
arrival of the bot's next message or edit in that chat (for the echo bot's button presses, its
answerCallbackQuery). Updates per second are all updates over the wall time of the run.
Every user is a thread blocked on its own chat's condition in the fake, woken only when the bot
changes that chat; with hundreds of users the test process can still limit (see its CPU).

    python -m benchmarks.chat_throughput --directors 20
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from benchmarks.common import BenchOptions, Figure, bench_data_key, stopwatch
from benchmarks.echo_bot import BUTTON_LABEL
from bot.audit import Actor
from bot.people.access import Caller, caller_from_staff
from bot.people.orgs import OrgInput, add_org
from bot.people.staff import InviteRequest, invite_staff
from bot.reminders.sweep import JOB as REMINDER_JOB
from bot.settings import PROJECT_ROOT, Settings
from storage.db import Database
from storage.migrate import upgrade
from storage.outbox_models import SweepRun
from tests.fakegram import FakeTelegram, FakeUser, SentMessage
from tests.support.botrunner import BotProcess
from tests.support.children import file_child

BENCHMARK = "chat_throughput"
TOKEN = "123456:BENCH-chat_throughput"
TIMEOUT = 300.0  # seconds for one reply: 2 noisy cores, and up to K updates queued ahead
START_TIMEOUT = 120.0
VILLAGES_PER_TOWNSHIP = 100
WEEK = timedelta(days=7)
MAX_DIRECTORS = 999
SURNAMES, GIVEN = "王李张刘陈杨黄赵吴周", "小晓子欣雨思佳浩梓宇"
COUNTY = "350121"
ANSWERS = {"sendmessage", "editmessagetext", "editmessagereplymarkup", "editmessagecaption"}
CHILD = ""  # a press on the picker's first button


@dataclass(frozen=True)
class Step:
    kind: str  # "text" or "press"
    value: str
    expect: str  # "question" (a new message with buttons), "toggled", or a text to wait for


def _multi(label: str) -> list[Step]:
    return [Step("press", label, "toggled"), Step("press", "完成", "question")]


VISIT_SCRIPT: list[Step] = [
    Step("text", "走访报告", "请选择要记录走访的儿童"),
    Step("press", CHILD, "question"),
    Step("press", "入户走访", "question"),
    Step("press", "今天", "question"),
    Step("press", "以上都没有", "question"),  # urgent situations: "none" in one tap
    *_multi("儿童本人"),  # who was met (the child met settles "seen in person")
    Step("press", "没有发现问题", "question"),  # nothing found: no needs, no report upward
    Step("press", "都没有变化", "question"),  # caregiver and risk tier
    Step("press", "不添加", "question"),  # photos, voice and location in one step
    Step("press", "保存", "走访记录已保存"),
]
ECHO_SCRIPT = [
    Step(s.kind, s.value if s.kind == "text" else BUTTON_LABEL, "") for s in VISIT_SCRIPT
]


@dataclass
class Measured:
    """One run: each update sent (chat, time queued, callback query id), wall time, latencies."""

    queued: list[tuple[int, float, str | None]] = field(default_factory=list)  # append is atomic
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cpu: float = 0.0  # seconds of the bot process's CPU while the updates were played
    cpu_clock: Callable[[], float] = lambda: 0.0

    @property
    def rate(self) -> float:
        return len(self.queued) / self.wall if self.wall else 0.0

    @property
    def cpu_ms_per_update(self) -> float:
        return 1000 * self.cpu / len(self.queued) if self.queued else 0.0

    def play_all(self, people: Sequence[FakeUser], work: Callable[[FakeUser], None]) -> None:
        """Run the users' scripts at once; time the run and the bot's CPU during it."""
        started = self.cpu_clock()
        self.wall = concurrently(people, work)
        self.cpu = self.cpu_clock() - started


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class EchoProcess(BotProcess):
    """`python -m benchmarks.echo_bot` in a child process, stopped like the bot."""

    def start(self) -> EchoProcess:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", **self.environment}
        command = [sys.executable, "-m", "benchmarks.echo_bot"]
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        return self


def seed(db: Database, k: int, timezone: ZoneInfo) -> list[str]:
    """A county with K villages, a director invited to each with one child on file; the codes."""
    if not 0 < k <= MAX_DIRECTORS:
        raise ValueError(f"directors must be 1 to {MAX_DIRECTORS}")
    now = datetime.now(UTC)
    today = now.astimezone(timezone).date()
    townships = [f"{COUNTY}{100 + t:03d}" for t in range(math.ceil(k / VILLAGES_PER_TOWNSHIP))]
    villages = [f"{townships[i // 100]}{200 + i % 100:03d}" for i in range(k)]
    rows = [
        OrgInput("350000", "福建省", "province"),
        OrgInput("350100", "福州市", "city", "350000"),
        OrgInput(COUNTY, "闽侯县", "county", "350100"),
        *[OrgInput(c, f"第{n + 1}镇", "township", COUNTY) for n, c in enumerate(townships)],
        *[OrgInput(c, f"第{n + 1}村", "village", c[:9]) for n, c in enumerate(villages)],
    ]

    def regions_and_staff(session: Session) -> list[tuple[str, Caller]]:
        for row in rows:
            add_org(session=session, data=row, actor=Actor.cli())
        # The daily reminder sweep counts as done, so no digests compete with the forms.
        for day in (today, today + timedelta(days=1)):
            session.add(SweepRun(job=REMINDER_JOB, day=day, started_at=now))
        invited = []
        for n, village in enumerate(villages):
            request = InviteRequest("director", village, f"主任{n + 1}", "13812345678")
            issued = invite_staff(
                session=session, request=request, actor=Actor.cli(), now=now, lifetime=WEEK
            )
            invited.append((issued.code, caller_from_staff(session=session, staff=issued.staff)))
        return invited

    invited = db.call(regions_and_staff)
    for n, (_, caller) in enumerate(invited, start=1):
        # One ID number and one name per child (no duplicate warnings): at most 999.
        name = f"{SURNAMES[n % 10]}{GIVEN[n // 10 % 10]}{GIVEN[::-1][n // 100]}"
        file_child(
            db, caller, name=name, tier="medium", sequence=f"{n:03d}", filed_on=today, today=today
        )
    return [code for code, _ in invited]


def wait_polling(fake: FakeTelegram, bot: BotProcess) -> None:
    """Wait until the bot process polls the fake for updates."""
    deadline = time.monotonic() + START_TIMEOUT
    while fake.call_count("getUpdates") == 0:
        assert bot.process is not None
        if bot.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the bot did not start polling:\n{bot.output()[-3000:]}")
        time.sleep(0.1)


def concurrently(users: Sequence[FakeUser], work: Callable[[FakeUser], None]) -> float:
    """Run work for every user in its own thread, all released at once; the wall time."""
    barrier = threading.Barrier(len(users) + 1)

    def one(user: FakeUser) -> None:
        barrier.wait(START_TIMEOUT)
        work(user)

    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        futures = [pool.submit(one, user) for user in users]
        barrier.wait(START_TIMEOUT)
        with stopwatch() as elapsed:
            errors = [error for error in (f.exception() for f in futures) if error]
            wall = elapsed()
    if errors:
        raise RuntimeError(f"{len(errors)} of {len(users)} users failed") from errors[0]
    return wall


def is_question(since: int) -> Callable[[SentMessage], bool]:
    # A pressed question is replaced in place by the next one, so an edit counts as well.
    return lambda m: m.seq > since and bool(m.inline_keyboard)


def play(user: FakeUser, script: Sequence[Step], measured: Measured, *, echo: bool) -> None:
    """Take the user through the script, each step waiting for the bot to finish answering."""
    for step in script:
        queued, query_id = time.time(), None
        if step.kind == "text":
            user.send(step.value)
        elif step.value == CHILD:
            picker = user.last()
            query_id = user.press(picker.button_texts()[0], picker)
        else:
            query_id = user.press(step.value)
        since = user.last_action
        measured.queued.append((user.id, queued, query_id if echo else None))
        if echo and query_id is not None:
            user.answer(query_id, timeout=TIMEOUT)
        elif echo or step.expect == "question":
            user.wait_for(is_question(since), timeout=TIMEOUT, what="the next question")
        elif step.expect == "toggled":
            user.wait_for(lambda m: m.edited and "✅" in str(m.buttons()), timeout=TIMEOUT)
        else:
            user.wait_for_text(step.expect, timeout=TIMEOUT)


def latencies(fake: FakeTelegram, measured: Measured) -> list[float]:
    """Match each queued update with the bot's first answer after it, on the fake's clock."""
    by_chat: dict[int, list[float]] = defaultdict(list)
    by_query: dict[str, float] = {}
    for call in (c for c in fake.calls() if c.error_code is None):
        if call.method.lower() in ANSWERS and "chat_id" in call.args:
            by_chat[int(call.args["chat_id"])].append(call.at)
        elif call.method == "answerCallbackQuery":
            by_query[call.args.get("callback_query_id", "")] = call.at
    for times in by_chat.values():
        times.sort()
    return [
        (by_query[query_id] if query_id else next(t for t in by_chat[chat_id] if t > queued))
        - queued
        for chat_id, queued, query_id in measured.queued
    ]


def measure(
    process: type[BotProcess], env: dict[str, str], log: Path, k: int, work: Callable[..., None]
) -> Measured:
    """Start a fake and a bot process, let K users do `work(fake, users, measured)`; stop both."""
    fake = FakeTelegram(token=TOKEN, bot_username="guanai_bench_bot").start()
    bot: BotProcess | None = None
    try:
        env = {**env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": fake.api_url}
        bot = process(env, log).start()
        wait_polling(fake, bot)
        pid = bot.process.pid if bot.process is not None else 0
        measured = Measured(cpu_clock=lambda: process_cpu_seconds(pid))
        people = [fake.user(10_000 + n, first_name=f"主任{n + 1}") for n in range(k)]
        work(fake, people, measured)
        measured.latencies = latencies(fake, measured)
        return measured
    finally:
        if bot is not None:
            bot.stop()
        fake.stop()


def guanai_work(codes: list[str]) -> Callable[[FakeTelegram, list[FakeUser], Measured], None]:
    def work(fake: FakeTelegram, people: list[FakeUser], measured: Measured) -> None:
        code_of = {user.id: code for user, code in zip(people, codes, strict=True)}

        def enrol(user: FakeUser) -> None:
            user.send(f"/start {code_of[user.id]}")
            user.wait_for_text("欢迎您", timeout=TIMEOUT)

        concurrently(people, enrol)
        fake.wait_idle(TIMEOUT)
        measured.play_all(people, lambda u: play(u, VISIT_SCRIPT, measured, echo=False))

    return work


def echo_work(fake: FakeTelegram, people: list[FakeUser], measured: Measured) -> None:
    measured.play_all(people, lambda u: play(u, ECHO_SCRIPT, measured, echo=True))


def combined(*runs: Measured) -> Measured:
    """Runs of the same load taken as one: every update over the sum of their wall times."""
    return Measured(
        queued=[update for run in runs for update in run.queued],
        wall=sum(run.wall for run in runs),
        latencies=[latency for run in runs for latency in run.latencies],
        cpu=sum(run.cpu for run in runs),
    )


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else math.nan


def figures(k: int, guanai: Measured, echo: Measured) -> list[Figure]:
    result = [Figure(BENCHMARK, "directors", k, "users")]
    for name, run in (("guanai", guanai), ("echo", echo)):
        result += [
            Figure(BENCHMARK, f"{name}_updates_per_s", round(run.rate, 1), "updates/s"),
            Figure(BENCHMARK, f"{name}_p50", round(percentile(run.latencies, 0.5) * 1000), "ms"),
            Figure(BENCHMARK, f"{name}_p95", round(percentile(run.latencies, 0.95) * 1000), "ms"),
            # CPU per update moves less with the shared machine's load than updates per second.
            Figure(BENCHMARK, f"{name}_cpu_per_update", round(run.cpu_ms_per_update, 2), "ms"),
        ]
    ratio = guanai.rate / echo.rate if echo.rate else 0.0
    result.append(Figure(BENCHMARK, "guanai_vs_echo", round(ratio, 3), "x", ">= 0.5", ratio >= 0.5))
    return result


def run(options: BenchOptions) -> list[Figure]:
    k = options.directors
    options.work_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="chat-", dir=options.work_dir))
    url = options.database_url or f"sqlite:///{folder / 'guanai.db'}"
    key = bench_data_key()  # personal data is encrypted at rest: the run's key, installed here
    env = {"DATABASE_URL": url, "BOT_LOCALE": "zh_Hans", "DATA_KEY": key}
    try:
        upgrade(url)
        db = Database(url)
        try:
            codes = seed(db, k, Settings(_env_file=None).timezone)  # type: ignore[call-arg]
        finally:
            db.dispose()
        # The floor is measured just before and just after Guanai, so a change in the shared
        # machine's load during the run weighs on both sides of the ratio alike.
        before = measure(EchoProcess, {}, folder / "echo.log", k, echo_work)
        guanai = measure(BotProcess, env, folder / "bot.log", k, guanai_work(codes))
        echo = combined(before, measure(EchoProcess, {}, folder / "echo.log", k, echo_work))
    except Exception as error:
        error.add_note(f"the bot logs (and a SQLite database) are kept in {folder}")
        raise
    shutil.rmtree(folder, ignore_errors=True)
    return figures(k, guanai, echo)


def main(argv: Sequence[str] | None = None) -> None:
    defaults = BenchOptions()
    parser = argparse.ArgumentParser(description="K directors filing visit reports at once.")
    parser.add_argument("--directors", type=int, default=defaults.directors)
    parser.add_argument("--database-url", default="", help="an empty database (default SQLite)")
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
