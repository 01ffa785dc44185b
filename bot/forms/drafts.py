"""Drafts: form sessions stored at every answer, locked while one update is applied."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from bot.forms.engine import FormState
from storage.child_models import FormSession
from storage.models import OrgUnit, Staff
from storage.queries import IDENTITY_COLUMNS, StaffIdentity

OPEN, SAVED, DISCARDED = "open", "saved", "discarded"
STALE_AFTER = timedelta(days=3)


# Drafts are read with FOR UPDATE: on PostgreSQL the row stays locked until commit, so two bot
# processes never interleave one user's answers. SQLite renders no FOR UPDATE; BEGIN IMMEDIATE
# serialises its writers instead.


def open_drafts(*, session: Session, staff_id: int) -> Sequence[FormSession]:
    statement = (
        select(FormSession)
        .where(FormSession.staff_id == staff_id, FormSession.status == OPEN)
        .order_by(col(FormSession.updated_at).desc())
        .with_for_update()
    )
    return session.exec(statement).all()


def active_draft(*, session: Session, staff_id: int) -> FormSession | None:
    """Return the draft the user touched last, locked for this transaction."""
    drafts = open_drafts(session=session, staff_id=staff_id)
    return drafts[0] if drafts else None


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


def open_draft_of(*, session: Session, staff_id: int, form: str) -> FormSession | None:
    for draft in open_drafts(session=session, staff_id=staff_id):
        if draft.form == form:
            return draft
    return None


def state_of(draft: FormSession) -> FormState:
    return FormState.from_json(json.loads(draft.state))


def create_draft(
    *,
    session: Session,
    staff_id: int,
    form: str,
    state: FormState,
    now: datetime,
    record_id: int | None = None,
) -> FormSession:
    """Open a new draft, closing any other open draft of the same form."""
    for draft in open_drafts(session=session, staff_id=staff_id):
        if draft.form == form:
            draft.status = DISCARDED
    draft = FormSession(
        staff_id=staff_id,
        form=form,
        record_id=record_id,
        state=json.dumps(state.to_json()),
        version=state.version,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


_SAVE_STATE = (
    update(FormSession)
    .where(col(FormSession.id) == bindparam("draft_id"))
    .values(
        state=bindparam("state"),
        version=bindparam("version"),
        updated_at=bindparam("updated_at"),
        stale_mentioned=False,
    )
)


def save_state(*, session: Session, draft: FormSession, state: FormState, now: datetime) -> None:
    """Store the draft's new state with one UPDATE, and show it on the loaded draft."""
    values = {
        "state": json.dumps(state.to_json(), ensure_ascii=False),
        "version": state.version,
        "updated_at": now,
        "stale_mentioned": False,
    }
    # Every answer runs this; a Core UPDATE on the transaction's connection costs a third of
    # an ORM flush of the same change. The draft takes the values as already stored.
    session.connection().execute(_SAVE_STATE, {"draft_id": draft.id, **values})
    for name, value in values.items():
        set_committed_value(draft, name, value)


def close_draft(*, draft: FormSession, status: str, now: datetime) -> None:
    draft.status = status
    draft.updated_at = now


def stale_drafts(*, session: Session, now: datetime) -> dict[int, list[FormSession]]:
    """Every open draft untouched for 3 days and not yet mentioned, by staff member."""
    statement = select(FormSession).where(
        FormSession.status == OPEN,
        col(FormSession.stale_mentioned).is_(False),
        col(FormSession.updated_at) <= now - STALE_AFTER,
    )
    found: dict[int, list[FormSession]] = {}
    for draft in session.exec(statement).all():
        found.setdefault(draft.staff_id, []).append(draft)
    return found


def take_stale_drafts(*, session: Session, staff_id: int, now: datetime) -> Sequence[FormSession]:
    """Return one staff member's stale drafts, marking them mentioned so each is named once.

    Answering the draft again clears the mark (see save_state).
    """
    drafts = stale_drafts(session=session, now=now).get(staff_id, [])
    for draft in drafts:
        draft.stale_mentioned = True
    return drafts
