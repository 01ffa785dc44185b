"""Outbox delivery rate: N queued messages to N recipients under Telegram's flood limits.

A fresh database gets a village, N enrolled staff (active, each with its own Telegram id) and
one queued outbox row for each. The fake Bot API (`tests/fakegram`) registers the N private
chats and enforces 30 messages per second overall and 1 per second per chat. The real bot
(`python -m bot run`, outbox polled every 0.2 s) then delivers the queue; we wait, bounded,
until no row is pending or being sent.

Everything is read from the fake's recorded sendMessage calls, on its clock: the rate is the
successful sends after the first over the time from the first to the last successful one;
a 429 "after the first second" came more than 1 s after the first sendMessage call. A sender
that sends in bursts of 30 per second can show a little over 30 msg/s on short runs (the last
burst ends early in its second). `longest_pause` is the longest gap between successful sends.

A second case queues many messages to few chats (`--chats`; `make bench` runs 300 to 10),
chat after chat as a sweep would: Telegram takes about one a second per chat, so the target
is messages / chats seconds, with no 429 and no two sends to a chat less than a second apart.

    python -m benchmarks.outbox_rate --messages 300
    python -m benchmarks.outbox_rate --messages 300 --chats 10
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from sqlalchemy import create_engine, func, insert
from sqlmodel import Session, col, select

from benchmarks.common import BenchOptions, Figure, bench_data_key, fresh_database, stopwatch
from bot.audit import Actor
from bot.people.orgs import OrgInput, add_org
from bot.reminders.sweep import JOB as REMINDER_JOB
from bot.reply import Reply
from bot.settings import Settings
from storage.db import Database, sqlalchemy_url
from storage.migrate import upgrade
from storage.models import Staff
from storage.outbox_models import PENDING, SENDING, SENT, OutboxMessage, SweepRun
from tests.fakegram import FakeTelegram, RateLimits
from tests.fakegram.state import Call
from tests.support.botrunner import BotProcess

BENCHMARK = "outbox_rate"
TOKEN = "123456:BENCH-outbox_rate"
LIMITS = RateLimits(per_chat=(1, 1.0), overall=(30, 1.0))
POLL_SECONDS = 0.2
FIRST_USER_ID = 700_000_000
VILLAGE = "350121100201"
REGION = [
    OrgInput("350000", "福建省", "province"),
    OrgInput("350100", "福州市", "city", "350000"),
    OrgInput("350121", "闽侯县", "county", "350100"),
    OrgInput("350121100", "白沙镇", "township", "350121"),
    OrgInput(VILLAGE, "溪头村", "village", "350121100"),
]
START_TIMEOUT = 120.0
STALL_TIMEOUT = 60.0  # no row delivered for this long (start-up included): give up
MIN_RATE = 28.0
FEW_CHATS, FEW_CHATS_MESSAGES = 10, 300  # the second case of `make bench`


@dataclass(frozen=True)
class Outcome:
    """What one run left behind: the fake's sendMessage calls and the rows not sent."""

    calls: list[Call]
    unsent: int
    wall: float


def seed(url: str, n: int, chats: int | None = None) -> None:
    """Region, enrolled directors with distinct Telegram ids (one per chat, N by default), and
    N queued rows shared out among them, each director's rows one after the other."""
    chats = chats or n
    bench_data_key()  # the payloads are encrypted with the key the bot process gets
    now = datetime.now(UTC)
    today = now.astimezone(Settings(_env_file=None).timezone).date()  # type: ignore[call-arg]
    staff = [
        {
            "role": "director",
            "org_code": VILLAGE,
            "name": f"主任{i + 1}",
            "telegram_user_id": FIRST_USER_ID + i,
            "locale": "zh_Hans",
            "active": True,
            "created_at": now,
            "enrolled_at": now,
        }
        for i in range(chats)
    ]

    def work(session: Session) -> None:
        for org in REGION:
            add_org(session=session, data=org, actor=Actor.cli())
        # The daily reminder sweep counts as done, so no digests join the queue.
        for day in (today, today + timedelta(days=1)):
            session.add(SweepRun(job=REMINDER_JOB, day=day, started_at=now))
        session.execute(insert(Staff), staff)
        ids = session.exec(select(Staff.id, Staff.telegram_user_id)).all()
        per_chat = -(-n // chats)
        rows = [
            {
                "key": f"bench:outbox:{chat_id}:{number}",
                "recipient_staff_id": staff_id,
                "chat_id": chat_id,
                "payload": Reply(f"基准测试消息 {chat_id}", [[("好", "bench:ok")]]).to_json(),
                "state": PENDING,
                "not_before": now,
                "attempts": 0,
                "event": "bench",
                "created_at": now,
            }
            for staff_id, chat_id in ids
            for number in range(per_chat)
        ][:n]
        session.execute(insert(OutboxMessage), rows)

    db = Database(url)
    try:
        db.call(work)
    finally:
        db.dispose()


class RowCounter:
    """Counts outbox rows by state on a plain engine: reads only, no write lock taken."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(sqlalchemy_url(url))

    def count(self, states: Sequence[str], negate: bool = False) -> int:
        wanted = col(OutboxMessage.state).in_(states)
        statement = select(func.count()).select_from(OutboxMessage)
        statement = statement.where(~wanted if negate else wanted)
        with Session(self.engine) as session:
            return int(session.exec(statement).one())

    def dispose(self) -> None:
        self.engine.dispose()


def wait_delivered(counter: RowCounter, bot: BotProcess, n: int) -> None:
    """Wait until no row is pending or sending; fail on a stall, a dead bot or the deadline."""
    deadline = time.monotonic() + START_TIMEOUT + n  # 1 msg/s would still finish
    last_left, last_progress = n + 1, time.monotonic()
    while (left := counter.count([PENDING, SENDING])) > 0:
        now = time.monotonic()
        if left < last_left:
            last_left, last_progress = left, now
        assert bot.process is not None
        if bot.process.poll() is not None:
            raise RuntimeError(f"the bot exited with {left} rows left:\n{bot.output()[-3000:]}")
        if now > deadline or now - last_progress > STALL_TIMEOUT:
            raise RuntimeError(f"{left} of {n} rows still queued; bot log:\n{bot.output()[-3000:]}")
        time.sleep(0.25)


def deliver(url: str, n: int, log: Path, poll_seconds: float, chats: int | None = None) -> Outcome:
    """Start the fake with the chats and the bot; wait until the queue is empty; stop both."""
    fake = FakeTelegram(token=TOKEN, bot_username="guanai_bench_bot", rate_limits=LIMITS)
    counter = RowCounter(url)
    bot: BotProcess | None = None
    try:
        fake.start()
        for i in range(chats or n):
            fake.user(FIRST_USER_ID + i, first_name=f"主任{i + 1}")
        env = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": fake.api_url,
            "DATABASE_URL": url,
            "BOT_LOCALE": "zh_Hans",
            "OUTBOX_POLL_SECONDS": str(poll_seconds),
            "DATA_KEY": bench_data_key(),
        }
        with stopwatch() as elapsed:
            bot = BotProcess(env, log).start()
            wait_delivered(counter, bot, n)
            wall = elapsed()
        return Outcome(fake.calls("sendMessage"), counter.count([SENT], negate=True), wall)
    finally:
        try:
            if bot is not None:
                bot.stop()
        finally:
            try:
                fake.stop()
            finally:
                counter.dispose()


def figures(n: int, outcome: Outcome) -> list[Figure]:
    ok = sorted(c.at for c in outcome.calls if c.error_code is None)
    limited = [c.at for c in outcome.calls if c.error_code == 429]
    first_call = min((c.at for c in outcome.calls), default=0.0)
    span = ok[-1] - ok[0] if len(ok) > 1 else 0.0
    rate = (len(ok) - 1) / span if span > 0 else 0.0
    late = sum(1 for at in limited if at > first_call + 1.0)
    gaps = [b - a for a, b in pairwise(ok)]
    return [
        Figure(BENCHMARK, "messages", len(ok), "sent", f"== {n}", len(ok) == n),
        Figure(BENCHMARK, "seconds", round(span, 2), "s"),
        Figure(BENCHMARK, "rate", round(rate, 1), "msg/s", f">= {MIN_RATE:g}", rate >= MIN_RATE),
        Figure(BENCHMARK, "429_answers", len(limited), "answers"),
        Figure(BENCHMARK, "429_after_first_second", late, "answers", "0", late == 0),
        Figure(BENCHMARK, "rows_unsent", outcome.unsent, "rows", "0", outcome.unsent == 0),
        Figure(BENCHMARK, "longest_pause", round(max(gaps, default=0.0), 2), "s"),
        Figure(BENCHMARK, "wall_from_bot_start", round(outcome.wall, 1), "s"),
    ]


def few_chats_figures(n: int, chats: int, outcome: Outcome) -> list[Figure]:
    name = f"{BENCHMARK}_few_chats"
    ok = [c for c in outcome.calls if c.error_code is None]
    limited = sum(1 for c in outcome.calls if c.error_code == 429)
    times = sorted(c.at for c in ok)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    by_chat: dict[str, list[float]] = {}
    for call in ok:
        by_chat.setdefault(str(call.args.get("chat_id")), []).append(call.at)
    gaps = [b - a for sends in by_chat.values() for a, b in pairwise(sorted(sends))]
    ideal = n / chats - 1  # the first send to each chat can go at once
    return [
        Figure(name, "messages", len(ok), "sent", f"== {n}", len(ok) == n),
        Figure(name, "chats", chats, "chats"),
        Figure(
            name, "seconds", round(span, 1), "s", f"<= {ideal * 1.25:.0f}", span <= ideal * 1.25
        ),
        Figure(name, "429_answers", limited, "answers", "0", limited == 0),
        Figure(name, "shortest_gap_in_a_chat", round(min(gaps, default=0.0), 2), "s"),
        Figure(name, "rows_unsent", outcome.unsent, "rows", "0", outcome.unsent == 0),
    ]


def measure(
    options: BenchOptions, poll_seconds: float = POLL_SECONDS, chats: int | None = None
) -> list[Figure]:
    n = options.messages
    if n < 1 or (chats is not None and not 1 <= chats <= n):
        raise ValueError("messages must be at least 1, and chats between 1 and messages")
    options.work_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="outbox-", dir=options.work_dir))
    try:
        url = options.database_url or f"sqlite:///{folder / 'guanai.db'}"
        upgrade(url)  # an empty database: seeding the region again would fail
        seed(url, n, chats)
        outcome = deliver(url, n, folder / "bot.log", poll_seconds, chats)
        return few_chats_figures(n, chats, outcome) if chats else figures(n, outcome)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(options: BenchOptions) -> list[Figure]:
    few = replace(options, messages=min(options.messages, FEW_CHATS_MESSAGES))
    if options.database_url:  # the second measurement seeds a region of its own
        few = replace(
            few,
            database_url=fresh_database(options.database_url, "few_chats", options.work_dir),
        )
    chats = max(1, min(FEW_CHATS, few.messages // 3))
    return measure(options) + measure(few, chats=chats)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    defaults = BenchOptions()
    parser.add_argument("--messages", type=int, default=defaults.messages)
    parser.add_argument("--database-url", default="", help="an empty database (default SQLite)")
    parser.add_argument("--work-dir", type=Path, default=defaults.work_dir)
    parser.add_argument("--poll-seconds", type=float, default=POLL_SECONDS)
    parser.add_argument("--chats", type=int, default=None, help="few chats, many messages each")
    args = parser.parse_args(argv)
    options = BenchOptions(
        messages=args.messages, database_url=args.database_url, work_dir=args.work_dir
    )
    for figure in measure(options, args.poll_seconds, args.chats):
        target = f"  target {figure.target}: {'met' if figure.met else 'NOT met'}"
        print(
            f"{figure.name:<24} {figure.value:>10} {figure.unit}{target if figure.target else ''}"
        )


if __name__ == "__main__":
    main()
