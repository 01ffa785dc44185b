"""Queries over the outbox: insert once per key, claim due rows, record what happened."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import func, insert, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from storage.models import Staff
from storage.outbox_models import FAILED, PENDING, SENDING, SENT, UNDELIVERABLE, OutboxMessage


class Claimed(NamedTuple):
    """A row this process now sends, with the locale its recipient reads today."""

    id: int
    chat_id: int
    payload: str
    attempts: int
    event: str
    locale: str | None
    active: bool = True  # False once the recipient's access was revoked: send them nothing


def taken_keys(*, session: Session, keys: Iterable[str]) -> set[str]:
    """Which of these keys are queued already."""
    statement = select(OutboxMessage.key).where(col(OutboxMessage.key).in_(set(keys)))
    return set(session.exec(statement).all())


def insert_rows(*, session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Write rows with Core: tens of thousands of ORM objects, flushed one by one, crawl."""
    if rows:
        session.connection().execute(insert(OutboxMessage), list(rows))


def claim_due(
    *,
    session: Session,
    now: datetime,
    lease: timedelta,
    limit: int,
    skip_chats: Collection[int] = (),
) -> list[Claimed]:
    """Take due rows for this process: pending ones, and ones whose sender died mid-send.

    Only the first unsent row of each chat (by not_before, then id) is taken, and none while
    that chat's first row is being sent, here or by another process: messages to one chat go
    one after the other, in order, and a chat with a long queue cannot fill a batch.
    """
    unsent = col(OutboxMessage.state).in_([PENDING, SENDING])
    place = (
        func.row_number()
        .over(
            partition_by=col(OutboxMessage.chat_id),
            order_by=(col(OutboxMessage.not_before), col(OutboxMessage.id)),
        )
        .label("place")
    )
    due = [col(OutboxMessage.not_before) <= now, unsent]
    if skip_chats:
        due.append(col(OutboxMessage.chat_id).not_in(list(skip_chats)))
    ranked = sql_select(  # sqlmodel's select has no overload for labelled columns
        col(OutboxMessage.id).label("id"),
        col(OutboxMessage.state).label("state"),
        col(OutboxMessage.claimed_until).label("claimed_until"),
        place,
    ).where(*due)
    heads = ranked.subquery()
    claimable = (heads.c.state == PENDING) | (heads.c.claimed_until < now)
    statement = (
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(select(heads.c.id).where(heads.c.place == 1, claimable)))
        .order_by(col(OutboxMessage.not_before), col(OutboxMessage.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Two bot processes each take different rows; neither waits for the other.
        statement = statement.with_for_update(skip_locked=True)
    rows = session.exec(statement).all()
    for row in rows:
        row.state = SENDING
        row.claimed_until = now + lease
        row.attempts += 1
    readers = _readers(session, {row.recipient_staff_id for row in rows})
    return [
        Claimed(
            row.id or 0,
            row.chat_id,
            row.payload,
            row.attempts,
            row.event,
            *readers.get(row.recipient_staff_id, (None, False)),
        )
        for row in rows
    ]


def _readers(session: Session, staff_ids: set[int]) -> dict[int, tuple[str | None, bool]]:
    """Each recipient's locale today, and whether they still have access."""
    if not staff_ids:
        return {}
    statement = select(col(Staff.id), col(Staff.locale), col(Staff.active)).where(
        col(Staff.id).in_(staff_ids)
    )
    return {staff_id or 0: (locale, active) for staff_id, locale, active in session.exec(statement)}


def release_claims(*, session: Session) -> int:
    """Make every row a sender had claimed claimable again; return how many.

    Only for a worker that has just taken the worker lock: the sender that claimed them is
    gone, and waiting out its lease would hold each of those chats up for minutes.
    """
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.state) == SENDING)
        .values(state=PENDING, claimed_until=None)
    )
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def mark_sent(*, session: Session, outbox_id: int, telegram_message_id: int, now: datetime) -> None:
    row = session.get(OutboxMessage, outbox_id)
    if row is not None:
        row.state, row.telegram_message_id, row.sent_at = SENT, telegram_message_id, now
        row.claimed_until = None


def record_part_sent(
    *, session: Session, outbox_id: int, payload: str, telegram_message_id: int
) -> None:
    """Keep a row claimed while its parts go out, with how far it got in its payload."""
    row = session.get(OutboxMessage, outbox_id)
    if row is not None:
        row.payload, row.telegram_message_id = payload, telegram_message_id


def mark_retry(*, session: Session, outbox_id: int, not_before: datetime, error: str) -> None:
    row = session.get(OutboxMessage, outbox_id)
    if row is not None:
        row.state, row.not_before, row.last_error = PENDING, not_before, error[:200]
        row.claimed_until = None


def defer_chat(*, session: Session, chat_id: int, not_before: datetime) -> None:
    """Hold a chat's other pending rows until not_before, so none overtakes one sent later."""
    session.connection().execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.state) == PENDING,
            col(OutboxMessage.not_before) < not_before,
        )
        .values(not_before=not_before)
    )


def mark_undeliverable(
    *, session: Session, outbox_id: int, error: str, permanent_failure: bool
) -> OutboxMessage | None:
    """Give up on a row: the recipient blocked the bot, or Telegram refused the message."""
    row = session.get(OutboxMessage, outbox_id)
    if row is not None:
        row.state = FAILED if permanent_failure else UNDELIVERABLE
        row.last_error = error[:200]
        row.claimed_until = None
    return row


def states_of_event(*, session: Session, event: str) -> list[str]:
    """The states of every row one event queued."""
    statement = select(OutboxMessage.state).where(OutboxMessage.event == event)
    return list(session.exec(statement).all())
