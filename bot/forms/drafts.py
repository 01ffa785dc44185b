"""Drafts: form sessions stored at every answer, locked while one update is applied."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from bot.forms.engine import FormState
from storage import draft_queries
from storage.child_models import FormSession

OPEN, SAVED, DISCARDED = "open", "saved", "discarded"
STALE_AFTER = timedelta(days=3)


def open_drafts(*, session: Session, staff_id: int) -> Sequence[FormSession]:
    """Return the user's open drafts, the last touched first, locked for this transaction."""
    return draft_queries.open_drafts(session=session, staff_id=staff_id, status=OPEN)


def active_draft(*, session: Session, staff_id: int) -> FormSession | None:
    """Return the draft the user touched last, locked for this transaction."""
    drafts = open_drafts(session=session, staff_id=staff_id)
    return drafts[0] if drafts else None


draft_by_id = draft_queries.draft_by_id
draft_with_sender = draft_queries.draft_with_sender


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
        draft.asking = False  # the new draft's first question takes the front
    draft = FormSession(
        staff_id=staff_id,
        form=form,
        record_id=record_id,
        state=json.dumps(state.to_json()),
        version=state.version,
        created_at=now,
        updated_at=now,
    )
    return draft_queries.add_draft(session=session, draft=draft)


def save_state(*, session: Session, draft: FormSession, state: FormState, now: datetime) -> None:
    """Store the draft's new state with one UPDATE, and show it on the loaded draft."""
    values = {
        "state": json.dumps(state.to_json(), ensure_ascii=False),
        "version": state.version,
        "updated_at": now,
        "stale_mentioned": False,
        # Every stored step is shown next (a question or the review): it is now in front.
        "asking": True,
    }
    draft_queries.store_state(session=session, draft_id=draft.id, values=values)
    # The loaded draft takes the values as already stored: no ORM flush follows.
    for name, value in values.items():
        set_committed_value(draft, name, value)


def pause_drafts(
    *, session: Session, staff_id: int, keep: int | None = None
) -> Sequence[FormSession]:
    """Pause the user's drafts whose question was in front (all but `keep`); return them."""
    paused = [
        draft
        for draft in draft_queries.asking_drafts(session=session, staff_id=staff_id, status=OPEN)
        if draft.id != keep
    ]
    draft_queries.stop_asking(session=session, draft_ids=[d.id for d in paused if d.id])
    for draft in paused:
        set_committed_value(draft, "asking", False)
    return paused


def close_draft(*, draft: FormSession, status: str, now: datetime) -> None:
    draft.status = status
    draft.updated_at = now


def stale_drafts(*, session: Session, now: datetime) -> dict[int, list[FormSession]]:
    """Every open draft untouched for 3 days and not yet mentioned, by staff member."""
    found: dict[int, list[FormSession]] = {}
    untouched = draft_queries.untouched_drafts(
        session=session, status=OPEN, updated_before=now - STALE_AFTER
    )
    for draft in untouched:
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
