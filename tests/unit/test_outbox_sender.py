"""The sender renders each row when it sends it: in the reader's language, long texts in parts,
each part once, old rows of rendered text as they were."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import col, select
from telegram.error import RetryAfter

from bot.care.escalations import EscalationPolicy
from bot.i18n import I18n, default_i18n
from bot.notify import outbox
from bot.notify.notification import Notification, text_notice
from bot.notify.render import Renderer
from bot.people.enrollment import ThrottlePolicy
from bot.reply import Reply
from bot.services import Services
from bot.settings import Settings
from bot.telegram.sender import Delivery, deliver_due
from storage.db import Database
from storage.models import Staff
from storage.outbox_models import OutboxMessage
from storage.recipient_queries import recipient_by_id
from tests.support.seed import TOWNSHIP, enrol_caller, seed_region

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@dataclass
class Sent:
    chat_id: int
    text: str
    buttons: Any


class ScriptedBot:
    """A bot whose sendMessage records what it sent and fails when the script says so."""

    def __init__(self, fail_on: dict[int, Exception] | None = None) -> None:
        self.sent: list[Sent] = []
        self.calls = 0
        self.fail_on = fail_on or {}

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Any:
        self.calls += 1
        failure = self.fail_on.pop(self.calls, None)
        if failure is not None:
            raise failure
        self.sent.append(Sent(chat_id, text, kwargs.get("reply_markup")))
        return type("Message", (), {"message_id": 100 + len(self.sent)})()


def services(db: Database, make_settings: Callable[..., Settings]) -> Services:
    return Services(
        settings=make_settings(),
        db=db,
        i18n=I18n(),
        clock=lambda: NOW,
        throttle=ThrottlePolicy(),
        escalation=EscalationPolicy(),
    )


def delivery() -> Delivery:
    return Delivery(renderer=Renderer(default_i18n()), on_undeliverable={})


def queue(db: Database, staff_id: int, key: str, message: Notification | Reply) -> None:
    db.call(
        lambda s: outbox.enqueue(
            session=s,
            key=key,
            recipient=recipient_by_id(session=s, staff_id=staff_id),
            message=message,
            now=NOW,
        )
    )


def send_due(db: Database, make_settings: Callable[..., Settings], bot: ScriptedBot) -> int:
    return asyncio.run(deliver_due(bot, services(db, make_settings), delivery()))


def long_alert() -> Notification:
    villages = [[f"村{n}", [0] * 40, ["童" * 30 + str(i) for i in range(40)]] for n in range(12)]
    return Notification(
        "reminder.overdue",
        {"children": 480, "shapes": [["home_visit", "2026-10-31", 2]], "villages": villages},
    )


def test_sender__alert_over_telegrams_limit__sent_in_parts_in_order_one_row(
    db: Database, make_settings: Callable[..., Settings]
) -> None:
    seed_region(db)
    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    queue(db, supervisor.staff_id, "remind:overdue:2001:x", long_alert())
    expected = Renderer(default_i18n()).render(long_alert(), "zh_Hans")
    bot = ScriptedBot()

    assert send_due(db, make_settings, bot) == 1

    assert len(bot.sent) > 1 and all(len(part.text) <= 4096 for part in bot.sent)
    assert "\n".join(part.text for part in bot.sent) == expected.text
    [row] = db.call(lambda s: s.exec(select(OutboxMessage)).all())
    assert (row.key, row.state, row.telegram_message_id) == (
        "remind:overdue:2001:x",
        "sent",
        100 + len(bot.sent),
    )
    assert send_due(db, make_settings, ScriptedBot()) == 0  # nothing is sent twice


def test_sender__429_after_the_first_part__the_retry_goes_on_from_the_second(
    db: Database, make_settings: Callable[..., Settings]
) -> None:
    seed_region(db)
    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    queue(db, supervisor.staff_id, "remind:overdue:2001:x", long_alert())
    bot = ScriptedBot(fail_on={2: RetryAfter(0)})

    assert send_due(db, make_settings, bot) == 0
    assert len(bot.sent) == 1
    db.call(lambda s: setattr(s.exec(select(OutboxMessage)).one(), "not_before", NOW))
    retry = ScriptedBot()
    assert send_due(db, make_settings, retry) == 1

    parts = [part.text for part in bot.sent + retry.sent]
    expected = Renderer(default_i18n()).render(long_alert(), "zh_Hans").parts()
    assert parts == [part.text for part in expected]  # each part once, in order


def test_sender__recipient_changed_language__rendered_in_the_new_one(
    db: Database, make_settings: Callable[..., Settings]
) -> None:
    seed_region(db)
    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    queue(
        db,
        supervisor.staff_id,
        "esc:1:ack:2001",
        text_notice("escalation.taken_by", id=1, name="李"),
    )
    db.call(lambda s: setattr(s.get(Staff, supervisor.staff_id), "locale", "en"))
    bot = ScriptedBot()

    send_due(db, make_settings, bot)

    english = default_i18n().translator("en")
    assert [part.text for part in bot.sent] == [english("escalation.taken_by", id=1, name="李")]


def test_sender__row_queued_before_notifications__sent_as_it_was_written(
    db: Database, make_settings: Callable[..., Settings]
) -> None:
    seed_region(db)
    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    queue(db, supervisor.staff_id, "old:1", Reply("<b>旧消息</b>", [[("好", "esc:ack:1")]]))
    payload = db.call(lambda s: s.exec(select(OutboxMessage.payload)).one())
    assert payload == Reply("<b>旧消息</b>", [[("好", "esc:ack:1")]]).to_json()
    bot = ScriptedBot()

    send_due(db, make_settings, bot)

    assert [part.text for part in bot.sent] == ["<b>旧消息</b>"]
    [[button]] = bot.sent[0].buttons.inline_keyboard
    assert (button.text, button.callback_data) == ("好", "esc:ack:1")


def test_sender__kind_nobody_renders__row_failed_and_the_next_one_sent(
    db: Database, make_settings: Callable[..., Settings]
) -> None:
    seed_region(db)
    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    queue(db, supervisor.staff_id, "a", Notification("no.such.kind", {}))
    queue(db, supervisor.staff_id, "b", text_notice("reminder.snoozed"))
    bot = ScriptedBot()

    send_due(db, make_settings, bot)

    rows = db.call(lambda s: s.exec(select(OutboxMessage).order_by(col(OutboxMessage.key))).all())
    assert [(row.key, row.state) for row in rows] == [("a", "failed"), ("b", "sent")]
    assert len(bot.sent) == 1


def test_sender__database_lost_after_the_send__marked_sent_at_the_next_run_not_sent_again(
    db: Database, make_settings: Callable[..., Settings]
) -> None:
    seed_region(db)
    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    queue(db, supervisor.staff_id, "note:1", text_notice("escalation.none_open"))
    queue(db, supervisor.staff_id, "note:2", text_notice("escalation.none_open"))
    kept = delivery()
    working = services(db, make_settings)
    real_run = db.run
    calls = 0

    async def lost_after_the_claim(work: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls > 1:  # the claim goes through; recording the send does not
            raise OSError("connection refused")
        return await real_run(work)

    bot = ScriptedBot()
    flaky = type("Flaky", (), {"run": staticmethod(lost_after_the_claim)})()
    working.db = flaky
    with pytest.raises(OSError):
        asyncio.run(deliver_due(bot, working, kept))
    assert len(bot.sent) == 1 and len(kept.unrecorded) == 1

    again = ScriptedBot()
    assert asyncio.run(deliver_due(again, services(db, make_settings), kept)) == 1

    states = db.call(lambda s: s.exec(select(OutboxMessage.key, OutboxMessage.state)).all())
    assert sorted(states) == [("note:1", "sent"), ("note:2", "sent")]
    assert len(again.sent) == 1  # only the second: the first was recorded, not sent again
    assert kept.unrecorded == []
