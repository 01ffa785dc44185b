"""The inbox: store received updates once, list the pending ones, mark them finished."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, update
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
