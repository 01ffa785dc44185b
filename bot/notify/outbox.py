"""The outbox: enqueue in the caller's transaction, claim due rows, record what happened."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import insert
from sqlmodel import Session, col, select

from bot.reply import Reply
from storage.outbox_models import (
    FAILED,
    PENDING,
    SENDING,
    SENT,
    UNDELIVERABLE,
    OutboxMessage,
)

LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(minutes=10)


class Addressee(Protocol):
    """Whom a message goes to: a Staff row, or the few columns of one the sweep reads."""

    @property
    def id(self) -> int | None: ...

    @property
    def telegram_user_id(self) -> int | None: ...


@dataclass(frozen=True)
class Queued:
    """One message for `enqueue_many`, with the same meaning as `enqueue`'s arguments."""

    key: str
    recipient: Addressee
    message: Reply
    not_before: datetime | None = None
    event: str = ""


def enqueue(
    *,
    session: Session,
    key: str,
    recipient: Addressee,
    message: Reply,
    now: datetime,
    not_before: datetime | None = None,
    event: str = "",
) -> bool:
    """Queue a message once per key; a key already queued is left as it is. Tell whether it was
    queued (not when the key was taken or the recipient has no Telegram account)."""
    queued = Queued(key, recipient, message, not_before, event)
    return enqueue_many(session=session, messages=[queued], now=now) > 0


def enqueue_many(*, session: Session, messages: Sequence[Queued], now: datetime) -> int:
    """Queue many messages in one round trip, each once per key, as `enqueue` does one.

    Keys already queued, and repeats within `messages`, are left as they are; returns how many
    rows were added. The rows are written with Core: tens of thousands of ORM objects, flushed
    one by one, made a large sweep crawl.
    """
    # A text over Telegram's limit goes as several rows, sent in order: the first keeps the key.
    parts = [
        (message, part, message.key if n == 1 else f"{message.key}#{n}")
        for message in messages
        for n, part in enumerate(message.message.parts(), start=1)
    ]
    keys = {key for _, _, key in parts}
    taken = set(
        session.exec(select(OutboxMessage.key).where(col(OutboxMessage.key).in_(keys))).all()
    )
    rows = []
    for message, part, key in parts:
        recipient = message.recipient
        if recipient.telegram_user_id is None or recipient.id is None or key in taken:
            continue
        taken.add(key)
        rows.append(
            {
                "key": key,
                "recipient_staff_id": recipient.id,
                "chat_id": recipient.telegram_user_id,
                "payload": part.to_json(),
                "state": PENDING,
                "not_before": message.not_before or now,
                "attempts": 0,
                "event": message.event,
                "created_at": now,
            }
        )
    if rows:
        session.connection().execute(insert(OutboxMessage), rows)
    return len(rows)


def claim_due(*, session: Session, now: datetime, limit: int = 50) -> Sequence[OutboxMessage]:
    """Take due rows for this process: pending ones, and ones whose sender died mid-send."""
    statement = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.not_before) <= now,
            (col(OutboxMessage.state) == PENDING)
            | ((col(OutboxMessage.state) == SENDING) & (col(OutboxMessage.claimed_until) < now)),
        )
        .order_by(col(OutboxMessage.not_before), col(OutboxMessage.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Two bot processes each take different rows; neither waits for the other.
        statement = statement.with_for_update(skip_locked=True)
    rows = session.exec(statement).all()
    for row in rows:
        row.state = SENDING
        row.claimed_until = now + LEASE
        row.attempts += 1
    return rows


def mark_sent(*, session: Session, outbox_id: int, telegram_message_id: int, now: datetime) -> None:
    row = session.get(OutboxMessage, outbox_id)
    if row is not None:
        row.state, row.telegram_message_id, row.sent_at = SENT, telegram_message_id, now
        row.claimed_until = None


def mark_retry(*, session: Session, outbox_id: int, not_before: datetime, error: str) -> None:
    row = session.get(OutboxMessage, outbox_id)
    if row is not None:
        row.state, row.not_before, row.last_error = PENDING, not_before, error[:200]
        row.claimed_until = None


def mark_undeliverable(
    *, session: Session, outbox_id: int, error: str, permanent_failure: bool = False
) -> OutboxMessage | None:
    """Give up on a row: the recipient blocked the bot, or Telegram refused the message."""
    row = session.get(OutboxMessage, outbox_id)
    if row is not None:
        row.state = FAILED if permanent_failure else UNDELIVERABLE
        row.last_error = error[:200]
        row.claimed_until = None
    return row


def backoff(attempts: int) -> timedelta:
    """Wait longer after each failed attempt, up to a cap."""
    return min(timedelta(seconds=2 ** min(attempts, 10)), MAX_BACKOFF)
