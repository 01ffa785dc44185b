"""Opening any form the way its declaration says: who may, and with which starting answers."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.care.escalations import EscalationPolicy
from bot.errors import AccessDenied
from bot.forms import service
from bot.forms.registry import FormContext, form_spec
from bot.people.access import Caller


def open_form(
    *,
    session: Session,
    caller: Caller,
    form: str,
    now: datetime,
    today: date,
    policy: EscalationPolicy,
    record_id: int | None = None,
) -> service.Screen:
    """Start a form for the caller (and a record), refusing whom its opener does not allow."""
    opener = form_spec(form).opener
    if opener.roles is not None and caller.role not in opener.roles:
        raise AccessDenied(opener.denied, table=opener.denied_table, record_id=record_id or form)
    context = FormContext(session, caller, now, today, policy, record_id=record_id)
    answers = opener.load(context) if opener.load is not None else None
    return service.begin(
        session=session,
        caller=caller,
        form=form,
        now=now,
        today=today,
        record_id=record_id,
        answers=answers,
        restart=opener.restart,
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
    return open_form(
        session=session,
        caller=caller,
        form=form,
        now=now,
        today=today,
        policy=policy,
        record_id=esc_id,
    )
