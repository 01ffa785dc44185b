"""The outbox delivers what must arrive exactly once: 429, 502, blocked users, restarts."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlmodel import select

from bot.notify import outbox
from bot.reply import Reply
from bot.settings import Settings
from storage.db import Database
from storage.outbox_models import OutboxMessage
from storage.recipient_queries import recipient_by_id
from tests.e2e.test_chat_foundation import enrol
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.seed import TOWNSHIP


def queue(db: Database, staff_id: int, key: str, text: str) -> None:
    def work(session: object) -> None:
        outbox.enqueue(
            session=session,  # type: ignore[arg-type]
            key=key,
            recipient=recipient_by_id(session=session, staff_id=staff_id),  # type: ignore[arg-type]
            message=Reply(text, [[("好", "esc:ack:1")]]),
            now=datetime.now(UTC),
        )

    db.call(work)


def rows(db: Database) -> list[OutboxMessage]:
    return list(db.call(lambda s: s.exec(select(OutboxMessage)).all()))


def test_outbox__429_then_502__message_arrives_exactly_once(
    fake: FakeTelegram,
    region: Database,
    bot_settings: Settings,
) -> None:
    bot = BotThread(bot_settings).start()
    try:
        user, issued = enrol(fake, region, 2001, "supervisor", TOWNSHIP, now=datetime.now(UTC))
        assert issued.staff.id is not None
        fake.fail_next("sendMessage", 429, retry_after=1)
        fake.fail_next("sendMessage", 502, times=1)
        queue(region, issued.staff.id, "test:1", "紧急上报测试")
        queue(region, issued.staff.id, "test:1", "紧急上报测试")  # the same key again
        user.wait_for_text("紧急上报测试", timeout=20)
        user.assert_quiet(3)
        assert [m.text for m in user.messages()].count("紧急上报测试") == 1
        sent = rows(region)
        assert [(r.state, r.telegram_message_id is not None) for r in sent] == [("sent", True)]
        assert fake.error_count(429) >= 1 and fake.error_count(502) >= 1
    finally:
        bot.stop()


def test_outbox__restart_between_queue_and_delivery__sent_once(
    fake: FakeTelegram,
    region: Database,
    bot_settings: Settings,
) -> None:
    first = BotThread(bot_settings).start()
    user, issued = enrol(fake, region, 2001, "supervisor", TOWNSHIP, now=datetime.now(UTC))
    first.stop()
    assert issued.staff.id is not None
    queue(region, issued.staff.id, "test:restart", "重启后送达")
    second = BotThread(bot_settings).start()
    try:
        user.wait_for_text("重启后送达", timeout=20)
        second.stop()
        third = BotThread(bot_settings).start()
        user.assert_quiet(3)
        third.stop()
    finally:
        if second.application and second.application.running:
            second.stop()
    assert [m.text for m in user.messages()].count("重启后送达") == 1


def test_outbox__recipient_blocked_the_bot__marked_undeliverable(
    fake: FakeTelegram,
    region: Database,
    bot_settings: Settings,
) -> None:
    bot = BotThread(bot_settings).start()
    user, issued = enrol(fake, region, 2001, "supervisor", TOWNSHIP, now=datetime.now(UTC))
    assert issued.staff.id is not None
    user.block()
    queue(region, issued.staff.id, "test:blocked", "不会送达")
    deadline = datetime.now(UTC).timestamp() + 15
    while datetime.now(UTC).timestamp() < deadline:
        states = [r.state for r in rows(region)]
        if states == ["undeliverable"]:
            break
        time.sleep(0.1)
    bot.stop()
    assert [r.state for r in rows(region)] == ["undeliverable"]
