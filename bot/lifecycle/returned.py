"""A returned file reopens for its director as an edit, at the section the supervisor named."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.care.escalations import EscalationPolicy
from bot.errors import UserError
from bot.forms import drafts, engine
from bot.forms.launch import open_form
from bot.forms.registry import get_form
from bot.forms.service import Screen
from bot.i18n import N_
from bot.lifecycle.review import RETURNED
from bot.people.access import Caller
from storage import child_queries

EDIT_FORM = "intake_edit"


def open_returned(
    *,
    session: Session,
    caller: Caller,
    child_id: int,
    now: datetime,
    today: date,
    policy: EscalationPolicy,
) -> tuple[Screen, str]:
    """Open the edit of a returned file at the section concerned; return it and the note."""
    child = child_queries.child_by_id(session=session, child_id=child_id)
    if child is not None and caller.sees(child.village_code) and child.review_state != RETURNED:
        raise UserError(N_("lifecycle.error.not_returned"))
    # The edit form's opener checks the area, the role and who the file was returned to.
    screen = open_form(
        session=session,
        caller=caller,
        form=EDIT_FORM,
        now=now,
        today=today,
        policy=policy,
        record_id=child_id,
    )
    assert child is not None and screen.state is not None
    form = get_form(EDIT_FORM)
    section = child.review_section or ""
    draft = drafts.draft_by_id(session=session, staff_id=caller.staff_id, draft_id=screen.draft_id)
    if draft is None or section not in {s.name for s in form.sections}:
        return screen, child.review_note or ""
    state = engine.revisit_section(form, screen.state, section)
    drafts.save_state(session=session, draft=draft, state=state, now=now)
    moved = Screen(
        "question", form=EDIT_FORM, draft_id=screen.draft_id, state=state, record_id=child_id
    )
    return moved, child.review_note or ""
