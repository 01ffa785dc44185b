"""The sender sends chats side by side and each chat's rows in order: a chat that is slow or
backing off holds up only itself, and a message with a refused part is never marked sent."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlmodel import col, select
from telegram.error import BadRequest, RetryAfter

from bot.notify import outbox
from bot.notify.notification import text_notice
from bot.reply import Reply
from bot.settings import Settings
from bot.telegram.sender import deliver_due
from storage import outbox_queries as queries
from storage.db import Database
from storage.outbox_models import PENDING, SENDING, OutboxMessage
from tests.support.seed import TOWNSHIP, enrol_caller, seed_region
from tests.unit.test_outbox_sender import (
    NOW,
    ScriptedBot,
    Sent,
    delivery,
    long_alert,
    queue,
    send_due,
    services,
)


class PacedBot(ScriptedBot):
    """Answers each chat after its own delay, as the rate limiter would hold a chat back."""

    def __init__(self, delays: dict[int, float], fail_chat: dict[int, Exception]) -> None:
        super().__init__()
        self.delays, self.fail_chat = delays, fail_chat
        self.answered: list[tuple[int, str, float]] = []

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> Any:
        await asyncio.sleep(self.delays.get(chat_id, 0.0))
        failure = self.fail_chat.pop(chat_id, None)
        if failure is not None:
            raise failure
        self.answered.append((chat_id, text, time.monotonic()))
        self.sent.append(Sent(chat_id, text, kwargs.get("reply_markup")))
        return type("Message", (), {"message_id": 100 + len(self.sent)})()


def staff(db: Database, *telegram_ids: int) -> list[int]:
    seed_region(db)
    return [enrol_caller(db, "supervisor", TOWNSHIP, tid).staff_id for tid in telegram_ids]


def states(db: Database) -> list[tuple[str, str]]:
    rows = db.call(lambda s: s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())
    return [(row.key, row.state) for row in rows]


def test_sender__one_chat_slow__rows_for_other_chats_do_not_wait_behind_it(
    db: Database, make_settings: Callable[..., Settings]
) -> None:
    slow, *others = staff(db, 2001, 2002, 2003, 2004)
    queue(db, slow, "slow:1", Reply("慢1"))
    queue(db, slow, "slow:2", Reply("慢2"))
    for n, staff_id in enumerate(others):
        queue(db, staff_id, f"fast:{n}", Reply(f"快{n}"))
    bot = PacedBot(delays={2001: 0.5}, fail_chat={})

    started = time.monotonic()
    assert send_due(db, make_settings, bot) == 5

    fast = [at - started for chat, _, at in bot.answered if chat != 2001]
    assert len(fast) == 3 and max(fast) < 0.4  # not after the slow chat's 0.5 s
    assert [text for chat, text, _ in bot.answered if chat == 2001] == ["慢1", "慢2"]


def test_sender__rows_to_one_chat__sent_in_the_order_they_were_queued(
    db: Database, make_settings: Callable[..., Settings]
) -> None:
    first, second = staff(db, 2001, 2002)
    for n in range(6):
        queue(db, first, f"a:{n}", Reply(f"甲{n}"))
        queue(db, second, f"b:{n}", Reply(f"乙{n}"))
    bot = PacedBot(delays={2001: 0.02, 2002: 0.01}, fail_chat={})

    assert send_due(db, make_settings, bot) == 12

    assert [text for chat, text, _ in bot.answered if chat == 2001] == [f"甲{n}" for n in range(6)]
    assert [text for chat, text, _ in bot.answered if chat == 2002] == [f"乙{n}" for n in range(6)]


def test_sender__429_for_one_chat__its_later_rows_wait_others_are_sent(
    db: Database, make_settings: Callable[..., Settings]
) -> None:
    flooded, other = staff(db, 2001, 2002)
    queue(db, flooded, "f:1", Reply("一"))
    queue(db, flooded, "f:2", Reply("二"))
    queue(db, other, "o:1", Reply("别人的"))
    bot = PacedBot(delays={}, fail_chat={2001: RetryAfter(30)})

    assert send_due(db, make_settings, bot) == 1

    assert [s.text for s in bot.sent] == ["别人的"]
    assert states(db) == [("f:1", "pending"), ("f:2", "pending"), ("o:1", "sent")]
    rows = db.call(lambda s: s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())
    # The second row is held with the first, so it cannot overtake it when the chat is free.
    assert rows[0].not_before == rows[1].not_before == NOW + timedelta(seconds=30)
    later = services(db, make_settings)
    later.clock = lambda: NOW + timedelta(seconds=31)
    retry = PacedBot(delays={}, fail_chat={})
    assert asyncio.run(deliver_due(retry, later, delivery())) == 2
    assert [s.text for s in retry.sent] == ["一", "二"]


def test_sender__second_part_refused__row_failed_never_marked_sent(
    db: Database, make_settings: Callable[..., Settings]
) -> None:
    [supervisor] = staff(db, 2001)
    queue(db, supervisor, "remind:overdue:2001:x", long_alert())
    bot = ScriptedBot(fail_on={2: BadRequest("Can't parse entities")})

    assert send_due(db, make_settings, bot) == 0

    assert len(bot.sent) == 1
    [row] = db.call(lambda s: s.exec(select(OutboxMessage)).all())
    assert (row.state, row.sent_at) == ("failed", None)
    assert send_due(db, make_settings, ScriptedBot()) == 0  # and not sent again


def test_claim__two_rows_for_one_chat__the_second_only_after_the_first_is_done(
    db: Database,
) -> None:
    [supervisor] = staff(db, 2001)
    queue(db, supervisor, "a", Reply("一"))
    queue(db, supervisor, "b", Reply("二"))

    first = db.call(lambda s: outbox.claim_due(session=s, now=NOW))
    meanwhile = db.call(lambda s: outbox.claim_due(session=s, now=NOW))

    assert [row.payload for row in first] == [Reply("一").to_json()]
    assert meanwhile == []  # the chat's first row is being sent


def test_release_claims__rows_a_dead_sender_was_sending__claimable_again_at_once(
    db: Database,
) -> None:
    seed_region(db)
    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    queue(db, supervisor.staff_id, "note:1", text_notice("escalation.none_open"))
    db.call(lambda s: setattr(s.exec(select(OutboxMessage)).one(), "state", SENDING))

    assert db.call(lambda s: queries.release_claims(session=s)) == 1

    [row] = db.call(lambda s: s.exec(select(OutboxMessage)).all())
    assert (row.state, row.claimed_until) == (PENDING, None)
