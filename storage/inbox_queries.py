"""The inbox: store received updates once, list the pending ones, mark them finished."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, delete, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.inbox_models import APPLIED, DONE, FAILED, PENDING, InboxUpdate


class ReceivedUpdate(NamedTuple):
    """An update as fetched: Telegram's id, the chat it belongs to and its JSON."""

    update_id: int
    chat_id: int | None
    payload: str


def store_updates(
    *, session: Session, updates: Sequence[ReceivedUpdate], now: datetime
) -> set[int]:
    """Insert the updates not stored yet, in one statement; return the ids that are new."""
    if not updates:
        return set()
    rows = [
        {
            "update_id": u.update_id,
            "chat_id": u.chat_id,
            "payload": u.payload,
            "state": PENDING,
            "received_at": now,
            "attempts": 0,
        }
        for u in updates
    ]
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    statement = (
        dialect.insert(InboxUpdate)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(col(InboxUpdate.update_id))
    )
    return set(session.execute(statement).scalars())


def pending_updates(*, session: Session) -> Sequence[InboxUpdate]:
    """Return the updates still to process or whose reply may be missing (applied), oldest
    first (the order Telegram gave them)."""
    statement = (
        select(InboxUpdate)
        .where(col(InboxUpdate.state).in_((PENDING, APPLIED)))
        .order_by(col(InboxUpdate.update_id))
    )
    return session.exec(statement).all()


def claim_update(*, session: Session, update_id: int) -> bool:
    """Mark a pending update applied in the caller's transaction; False if it was not pending.

    On PostgreSQL a second transaction claiming the same row waits for the first and then
    finds it applied, so only one of them can commit what the update caused. The row becomes
    done once its handlers have run (finish_updates).
    """
    statement = (
        update(InboxUpdate)
        .where(col(InboxUpdate.update_id) == update_id, col(InboxUpdate.state) == PENDING)
        .values(state=APPLIED)
    )
    return session.execute(statement).rowcount == 1  # type: ignore[attr-defined]


def finish_updates(
    *, session: Session, done: Sequence[int], failed: Sequence[tuple[int, str]]
) -> None:
    """Mark updates done (pending or applied ones), or failed with the error's name (pending
    ones); finished ones stay as they are."""
    if done:
        session.execute(
            update(InboxUpdate)
            .where(
                col(InboxUpdate.update_id).in_(done),
                col(InboxUpdate.state).in_((PENDING, APPLIED)),
            )
            .values(state=DONE)
        )
    for update_id, error in failed:
        session.execute(
            update(InboxUpdate)
            .where(col(InboxUpdate.update_id) == update_id, col(InboxUpdate.state) == PENDING)
            .values(state=FAILED, attempts=col(InboxUpdate.attempts) + 1, last_error=error[:200])
        )


def purge_finished(*, session: Session, received_before: datetime) -> int:
    """Delete finished updates received before a time; return how many went."""
    statement = delete(InboxUpdate).where(
        col(InboxUpdate.state).in_((DONE, FAILED)), col(InboxUpdate.received_at) < received_before
    )
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def pending_updates_of_chat(*, session: Session, chat_id: int) -> Sequence[InboxUpdate]:
    """Return one chat's updates still to process (or applied), oldest first."""
    statement = (
        select(InboxUpdate)
        .where(col(InboxUpdate.chat_id) == chat_id, col(InboxUpdate.state).in_((PENDING, APPLIED)))
        .order_by(col(InboxUpdate.update_id))
    )
    return session.exec(statement).all()


def chats_with_pending(*, session: Session) -> list[int]:
    """Return the chats that have updates still to process (or applied)."""
    statement = (
        select(InboxUpdate.chat_id).where(col(InboxUpdate.state).in_((PENDING, APPLIED))).distinct()
    )
    return [chat for chat in session.exec(statement).all() if chat is not None]


# The inbox's per-chat locks are PostgreSQL advisory locks in a namespace of their own (the
# two-int form); a chat id is folded into the second int, so two chats may share a lock now and
# then, which only makes them wait for each other.
CHAT_LOCK_SPACE = 0x6761  # "ga"


def _chat_lock_key(chat_id: int) -> int:
    folded = (chat_id ^ (chat_id >> 32)) & 0xFFFFFFFF
    return folded - (1 << 32) if folded >= 1 << 31 else folded


def try_lock_chat(*, connection: Connection, chat_id: int) -> bool:
    """Take the chat's lock for this connection's session unless another session holds it."""
    statement = text("SELECT pg_try_advisory_lock(:space, :key)")
    held = connection.execute(
        statement, {"space": CHAT_LOCK_SPACE, "key": _chat_lock_key(chat_id)}
    ).scalar()
    connection.commit()  # the lock outlives the transaction; do not sit idle in one
    return bool(held)


def unlock_chat(*, connection: Connection, chat_id: int) -> None:
    """Give the chat's lock back."""
    statement = text("SELECT pg_advisory_unlock(:space, :key)")
    connection.execute(statement, {"space": CHAT_LOCK_SPACE, "key": _chat_lock_key(chat_id)})
    connection.commit()
