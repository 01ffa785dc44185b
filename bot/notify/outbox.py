"""The outbox: enqueue in the caller's transaction, claim due rows, record what happened.

A row holds one notification (kind and parameters), rendered by the sender when it goes out.
A text longer than Telegram's limit becomes several messages only then: the sender sends them
in order and records in the row's payload how many went out, so a retry (after a 429, or a
sender that died mid-way) carries on with the next part instead of starting again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.notify.notification import Notification
from bot.reply import Reply
from storage import outbox_queries
from storage.outbox_models import PENDING, OutboxMessage
from storage.outbox_queries import Claimed
from storage.recipient_queries import Recipient

__all__ = [
    "LEASE",
    "Claimed",
    "Queued",
    "Recipient",
    "backoff",
    "claim_due",
    "enqueue",
    "enqueue_many",
]

LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(minutes=10)

# What a row can hold: a notification, or a message rendered already (rows of the old format,
# and tests or benchmarks that queue a literal text).
Content = Notification | Reply


@dataclass(frozen=True)
class Queued:
    """One message for `enqueue_many`, with the same meaning as `enqueue`'s arguments."""

    key: str
    recipient: Recipient
    message: Content
    not_before: datetime | None = None
    event: str = ""
    payload: str | None = None  # the message as JSON, when the caller made it once for many


def enqueue(
    *,
    session: Session,
    key: str,
    recipient: Recipient | None,
    message: Content,
    now: datetime,
    not_before: datetime | None = None,
    event: str = "",
) -> bool:
    """Queue a message once per key; a key already queued is left as it is. Tell whether it was
    queued (not when the key was taken or there is nobody with a Telegram account to send to)."""
    if recipient is None:
        return False
    queued = Queued(key, recipient, message, not_before, event)
    return enqueue_many(session=session, messages=[queued], now=now) > 0


def enqueue_many(*, session: Session, messages: Sequence[Queued], now: datetime) -> int:
    """Queue many messages in one round trip, each once per key, as `enqueue` does one.

    Keys already queued, and repeats within `messages`, are left as they are; returns how many
    rows were added.
    """
    taken = outbox_queries.taken_keys(session=session, keys=(m.key for m in messages))
    rows = []
    for message in messages:
        recipient = message.recipient
        if recipient.telegram_user_id is None or recipient.id is None or message.key in taken:
            continue
        taken.add(message.key)
        rows.append(
            {
                "key": message.key,
                "recipient_staff_id": recipient.id,
                "chat_id": recipient.telegram_user_id,
                "payload": message.payload or message.message.to_json(),
                "state": PENDING,
                "not_before": message.not_before or now,
                "attempts": 0,
                "event": message.event,
                "created_at": now,
            }
        )
    outbox_queries.insert_rows(session=session, rows=rows)
    return len(rows)


def claim_due(
    *, session: Session, now: datetime, limit: int = 50, skip_chats: Collection[int] = ()
) -> list[Claimed]:
    """Take due rows for this process, each leased for `LEASE`: the first of each chat."""
    return outbox_queries.claim_due(
        session=session, now=now, lease=LEASE, limit=limit, skip_chats=skip_chats
    )


def mark_undeliverable(
    *, session: Session, outbox_id: int, error: str, permanent_failure: bool = False
) -> OutboxMessage | None:
    """Give up on a row: the recipient blocked the bot, or Telegram refused the message."""
    return outbox_queries.mark_undeliverable(
        session=session, outbox_id=outbox_id, error=error, permanent_failure=permanent_failure
    )


def backoff(attempts: int) -> timedelta:
    """Wait longer after each failed attempt, up to a cap."""
    return min(timedelta(seconds=2 ** min(attempts, 10)), MAX_BACKOFF)
