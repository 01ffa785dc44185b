"""Starting forms that belong to a record: a visit for a child, a note on an escalation."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.care.escalations import EscalationPolicy, actionable, own_report
from bot.care.visits import child_for_visit, editable_visit, visit_answers, visit_context
from bot.forms import service
from bot.people.access import Caller


def begin_visit(
    *,
    session: Session,
    caller: Caller,
    child_id: int,
    now: datetime,
    today: date,
    policy: EscalationPolicy,
) -> service.Screen:
    """Start a visit report for one of the caller's children (AccessDenied otherwise)."""
    child = child_for_visit(session=session, caller=caller, child_id=child_id)
    return service.begin(
        session=session,
        caller=caller,
        form="visit",
        now=now,
        today=today,
        record_id=child_id,
        answers=visit_context(child, today),
        policy=policy,
    )


def begin_note(
    *,
    session: Session,
    caller: Caller,
    form: str,
    esc_id: int,
    now: datetime,
    today: date,
    policy: EscalationPolicy,
) -> service.Screen:
    """Start the resolution note, the question, or the director's reply for an escalation."""
    if form == "esc_reply":
        own_report(session=session, caller=caller, esc_id=esc_id)
    else:
        actionable(session=session, caller=caller, esc_id=esc_id)
    return service.begin(
        session=session,
        caller=caller,
        form=form,
        now=now,
        today=today,
        record_id=esc_id,
        restart=True,
        policy=policy,
    )


def begin_visit_edit(
    *,
    session: Session,
    caller: Caller,
    visit_id: int,
    now: datetime,
    today: date,
    policy: EscalationPolicy,
) -> service.Screen:
    """Open one of the caller's recent visit reports for correction, at its review."""
    visit = editable_visit(session=session, caller=caller, visit_id=visit_id, now=now)
    return service.begin(
        session=session,
        caller=caller,
        form="visit_edit",
        now=now,
        today=today,
        record_id=visit_id,
        answers=visit_answers(session=session, visit=visit, today=today),
        policy=policy,
    )
