"""Queries over form drafts; the press path's two statements are built once, at import."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.child_models import FormSession
from storage.crypto import EncryptedText
from storage.models import OrgUnit, Staff
from storage.queries import IDENTITY_COLUMNS, StaffIdentity
from storage.visit_models import Escalation

# Drafts are read with FOR UPDATE: on PostgreSQL the row stays locked until commit, so two bot
# processes never interleave one user's answers. SQLite renders no FOR UPDATE; BEGIN IMMEDIATE
# serialises its writers instead.


def open_drafts(*, session: Session, staff_id: int, status: str) -> Sequence[FormSession]:
    """Return the staff member's drafts in a status, the last touched first, locked."""
    statement = (
        select(FormSession)
        .where(FormSession.staff_id == staff_id, FormSession.status == status)
        .order_by(col(FormSession.updated_at).desc())
        .with_for_update()
    )
    return session.exec(statement).all()


# A press by a caller already identified (apply_button); chat presses use draft_with_sender.
_DRAFT_BY_ID = (
    select(FormSession)
    .where(
        col(FormSession.id) == bindparam("draft_id"),
        col(FormSession.staff_id) == bindparam("staff_id"),
    )
    .with_for_update()
)


def draft_by_id(*, session: Session, staff_id: int, draft_id: int) -> FormSession | None:
    """Return one of the user's drafts, locked for this transaction."""
    params = {"draft_id": draft_id, "staff_id": staff_id}
    return session.exec(_DRAFT_BY_ID, params=params).first()


# A form press: the draft and its owner's identity in one query, found only when the sender
# owns the draft; the draft's row is locked as above.
_DRAFT_WITH_SENDER = (
    sa_select(FormSession, *IDENTITY_COLUMNS)
    .join(Staff, col(Staff.id) == col(FormSession.staff_id))
    .join(OrgUnit, col(OrgUnit.code) == col(Staff.org_code))
    .where(
        col(FormSession.id) == bindparam("draft_id"),
        col(Staff.telegram_user_id) == bindparam("telegram_user_id"),
    )
    .with_for_update(of=FormSession)
)


def draft_with_sender(
    *, session: Session, telegram_user_id: int, draft_id: int
) -> tuple[FormSession, StaffIdentity] | None:
    """Return a draft, locked, with its owner's identity, if the Telegram account owns it."""
    params = {"draft_id": draft_id, "telegram_user_id": telegram_user_id}
    row = session.execute(_DRAFT_WITH_SENDER, params).first()
    if row is None:
        return None
    return row[0], StaffIdentity._make(row[1:])


def add_draft(*, session: Session, draft: FormSession) -> FormSession:
    """Insert a new draft and give it its id."""
    session.add(draft)
    session.flush()
    return draft


_SAVE_STATE = (
    update(FormSession)
    .where(col(FormSession.id) == bindparam("draft_id"))
    .values(
        state=bindparam("state", type_=EncryptedText()),  # the answers, encrypted
        version=bindparam("version"),
        updated_at=bindparam("updated_at"),
        stale_mentioned=bindparam("stale_mentioned"),
        asking=bindparam("asking"),
    )
)


def store_state(*, session: Session, draft_id: int | None, values: dict[str, Any]) -> None:
    """Write a draft's state, version, time, stale mark and asking flag with one Core UPDATE."""
    # Every answer runs this; a Core UPDATE on the transaction's connection costs a third of
    # an ORM flush of the same change.
    session.connection().execute(_SAVE_STATE, {"draft_id": draft_id, **values})


def asking_drafts(*, session: Session, staff_id: int, status: str) -> Sequence[FormSession]:
    """Return the staff member's drafts in a status whose question is in front, last first."""
    statement = (
        select(FormSession)
        .where(
            FormSession.staff_id == staff_id,
            FormSession.status == status,
            col(FormSession.asking).is_(True),
        )
        .order_by(col(FormSession.updated_at).desc())
        .with_for_update()
    )
    return session.exec(statement).all()


def stop_asking(*, session: Session, draft_ids: Sequence[int]) -> None:
    """Mark drafts paused: typed text no longer answers them."""
    if draft_ids:
        session.connection().execute(
            update(FormSession).where(col(FormSession.id).in_(draft_ids)).values(asking=False)
        )


def untouched_drafts(
    *, session: Session, status: str, updated_before: datetime
) -> Sequence[FormSession]:
    """Return the drafts in a status last touched before a moment and not yet mentioned."""
    statement = select(FormSession).where(
        FormSession.status == status,
        col(FormSession.stale_mentioned).is_(False),
        col(FormSession.updated_at) <= updated_before,
    )
    return session.exec(statement).all()


def delete_finished_drafts(*, session: Session, updated_before: datetime, limit: int) -> int:
    """Delete up to `limit` finished drafts last touched before a moment; return how many."""
    # A draft an escalation still points to stays: the escalation's report needs it.
    referenced = sa_select(col(Escalation.draft_id)).where(col(Escalation.draft_id).is_not(None))
    ids = session.exec(
        select(col(FormSession.id))
        .where(
            col(FormSession.status).in_(("saved", "discarded")),
            col(FormSession.updated_at) < updated_before,
            col(FormSession.id).not_in(referenced),
        )
        .order_by(col(FormSession.id))
        .limit(limit)
    ).all()
    if ids:
        session.connection().execute(delete(FormSession).where(col(FormSession.id).in_(ids)))
    return len(ids)
