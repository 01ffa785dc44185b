"""Telegram's flood limits, kept by the bot: a 429 for one chat does not hold up anyone else,
bulk messages to one chat go about one a second and in order, and a refused part fails the row.

The fake Bot API enforces the limits strictly here (one message a second to a chat, 30 a second
overall, 429 with retry_after beyond them); these tests take a minute between them."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from itertools import pairwise

from sqlmodel import Session

from bot.notify import outbox
from bot.reply import Reply
from bot.settings import Settings
from storage.db import Database
from storage.recipient_queries import recipient_by_id
from tests.e2e.test_chat_foundation import enrol
from tests.e2e.test_long_text import wait_until_sent
from tests.e2e.test_outbox import queue, rows
from tests.fakegram import FakeTelegram, FakeUser, RateLimits
from tests.support.botrunner import BotThread
from tests.support.seed import TOWNSHIP

STRICT = RateLimits(per_chat=(1, 1.0), overall=(30, 1.0))


def queue_many(db: Database, messages: list[tuple[int, str, str]]) -> None:
    """Queue (staff id, key, text) rows in one transaction, in the order given."""

    def work(session: Session) -> None:
        now = datetime.now(UTC)
        for staff_id, key, text in messages:
            recipient = recipient_by_id(session=session, staff_id=staff_id)
            outbox.enqueue(
                session=session, key=key, recipient=recipient, message=Reply(text), now=now
            )

    db.call(work)


def reply_seconds(fake: FakeTelegram, users: list[FakeUser]) -> list[float]:
    """Users write to the bot one every 0.2 s, not waiting for each other (as people do); how
    long each waited until the bot's reply reached the fake Bot API."""
    started = {}
    for user in users:
        started[user.id] = time.time()  # the clock the fake stamps its calls with
        user.send("/start")
        time.sleep(0.2)
    for user in users:
        user.reply(timeout=30)
    answered = {}
    for call in fake.calls("sendMessage"):
        chat_id = int(call.args.get("chat_id", 0))
        if call.error_code is None and chat_id in started:
            answered.setdefault(chat_id, call.at)
    return [answered[user.id] - started[user.id] for user in users]


def test_pace__one_chat_drawing_429s__replies_to_other_people_not_delayed(
    fake: FakeTelegram, region: Database, bot_settings: Settings
) -> None:
    bot = BotThread(bot_settings).start()
    try:
        flooded, issued = enrol(fake, region, 2001, "supervisor", TOWNSHIP, now=datetime.now(UTC))
        assert issued.staff.id is not None
        # Far stricter than Telegram for every chat (one message in 5 s): the bot's one a
        # second to the flooded chat draws a 429 with retry_after up to 5 s again and again.
        fake.set_rate_limits(RateLimits(per_chat=(1, 5.0), overall=(30, 1.0)))
        fake.reset_counters()
        quiet_run = reply_seconds(fake, [fake.user(3000 + n) for n in range(30)])
        assert fake.error_count(429) == 0

        queue_many(region, [(issued.staff.id, f"flood:{n}", f"第{n}条") for n in range(24)])
        flooded.wait_for_text("第0条", timeout=20)
        deadline = time.monotonic() + 10
        while fake.error_count(429) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)  # the flooded chat is backing off now
        flood_run = reply_seconds(fake, [fake.user(4000 + n) for n in range(30)])
        drawn = fake.error_count(429)
    finally:
        bot.stop()

    assert drawn >= 2  # the flooded chat drew 429s before and while the others were answered
    quiet, flood = statistics.median(quiet_run), statistics.median(flood_run)
    print(f"median reply: {quiet:.3f} s without 429s, {flood:.3f} s while one chat draws 429s")
    # Within 2x, plus 20 ms for a shared machine's scheduling noise at medians of about 10 ms;
    # a 429 that paused every send put this median at about 1.2 s.
    assert flood <= 2 * quiet + 0.02, (quiet_run, flood_run)
    got = [m.text for m in flooded.messages() if m.text.startswith("第")]
    assert got == [f"第{n}条" for n in range(len(got))]  # in order, none twice


def test_pace__300_messages_to_10_chats__done_in_about_30_s_without_429(
    fake: FakeTelegram, region: Database, bot_settings: Settings
) -> None:
    bot = BotThread(bot_settings).start()
    try:
        now = datetime.now(UTC)
        chats = [enrol(fake, region, 2001 + n, "supervisor", TOWNSHIP, now=now) for n in range(10)]
        fake.set_rate_limits(STRICT)
        fake.reset_counters()
        # Chat after chat, as a sweep queues them: a sender taking rows in queue order alone
        # would send one chat's 30 first, one a second, with the nine others idle.
        messages = [
            (issued.staff.id or 0, f"bulk:{user.id}:{n}", f"通知{n}")
            for user, issued in chats
            for n in range(30)
        ]
        started = time.monotonic()
        queue_many(region, messages)
        states = wait_until_sent(region, 300, timeout=90)
        elapsed = time.monotonic() - started
    finally:
        bot.stop()

    assert states == ["sent"] * 300
    limited = fake.error_count(429)
    print(f"300 messages to 10 chats: {elapsed:.1f} s, {limited} answers 429")
    assert elapsed < 45  # 30 a chat at one a second: 30 s, plus start and round trips
    assert limited <= 2  # spaced from Telegram's answer, the strict fake has no cause to refuse
    for user, _ in chats:
        got = [m.text for m in user.messages() if m.text.startswith("通知")]
        assert got == [f"通知{n}" for n in range(30)]


def test_pace__long_message_in_parts__parts_arrive_in_order_about_a_second_apart(
    fake: FakeTelegram, region: Database, bot_settings: Settings
) -> None:
    bot = BotThread(bot_settings).start()
    try:
        user, issued = enrol(fake, region, 2001, "supervisor", TOWNSHIP, now=datetime.now(UTC))
        assert issued.staff.id is not None
        fake.set_rate_limits(STRICT)
        fake.reset_counters()
        lines = [f"第{n:03d}村：" + "童" * 90 for n in range(200)]  # about 5 parts of 4,096
        queue(region, issued.staff.id, "remind:overdue:long", "\n".join(lines))
        assert wait_until_sent(region, 1, timeout=30) == ["sent"]
    finally:
        bot.stop()

    parts = [m for m in user.messages() if m.text.startswith("第")]
    assert len(parts) >= 5
    assert "\n".join(m.text for m in parts) == "\n".join(lines)  # whole, in order
    assert fake.error_count(429) == 0
    times = [c.at for c in fake.calls("sendMessage") if c.error_code is None]
    assert min(b - a for a, b in pairwise(times)) >= 1.0


def test_pace__second_part_refused__row_failed_not_reported_sent(
    fake: FakeTelegram, region: Database, bot_settings: Settings
) -> None:
    bot = BotThread(bot_settings).start()
    try:
        user, issued = enrol(fake, region, 2001, "supervisor", TOWNSHIP, now=datetime.now(UTC))
        assert issued.staff.id is not None
        first = "\n".join("甲" * 90 for _ in range(45))  # 4,094 characters: a part of its own
        queue(region, issued.staff.id, "esc:refused", first + "\n<blink>乙</blink>")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and rows(region)[0].state != "failed":
            time.sleep(0.1)
    finally:
        bot.stop()

    [row] = rows(region)
    assert (row.state, row.sent_at) == ("failed", None)
    assert "unsupported start tag" in (row.last_error or "")
    assert [m.text for m in user.messages() if "甲" in m.text] == [first]  # part one arrived
    assert fake.error_count(400) == 1  # tried once: a refused part is not retried
