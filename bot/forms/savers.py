"""What finishing each form does, and what an answer sets off before the form is finished."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.care.children import create_child, update_child
from bot.care.escalations import EscalationPolicy, ask_director, reply_to_question, resolve
from bot.care.visits import raise_urgent, save_visit, update_visit
from bot.forms.engine import FormState
from bot.forms.visit import URGENT
from bot.people.access import Caller
from storage.child_models import FormSession
from storage.visit_models import Escalation


def save_record(
    session: Session,
    caller: Caller,
    draft: FormSession,
    answers: dict[str, Any],
    now: datetime,
    today: date,
    policy: EscalationPolicy,
) -> tuple[int | None, str]:
    """Store what the finished form describes; return the record's id and a name to show."""
    record = draft.record_id or 0
    if draft.form == "intake":
        child = create_child(session=session, caller=caller, answers=answers, now=now, today=today)
        return child.id, child.name
    if draft.form == "intake_edit":
        child = update_child(
            session=session,
            caller=caller,
            child_id=record,
            answers=answers,
            now=now,
            today=today,
        )
        return child.id, child.name
    if draft.form == "visit":
        visit = save_visit(
            session=session, caller=caller, answers=answers, now=now, today=today, policy=policy
        )
        urgent_id = answers.get("_urgent_escalation")
        if urgent_id:
            escalation = session.get(Escalation, int(urgent_id))
            if escalation is not None:
                escalation.visit_id = visit.id
        return visit.id, ""
    if draft.form == "visit_edit":
        visit = update_visit(
            session=session, caller=caller, visit_id=record, answers=answers, now=now, today=today
        )
        return visit.id, ""
    note = str(answers.get("note") or "")
    if draft.form == "esc_resolve":
        resolve(session=session, caller=caller, esc_id=record, note=note, now=now)
    elif draft.form == "esc_ask":
        ask_director(session=session, caller=caller, esc_id=record, question=note, now=now)
    else:
        reply_to_question(session=session, caller=caller, esc_id=record, answer=note, now=now)
    return record, ""


def after_answer(
    session: Session,
    caller: Caller,
    draft: FormSession,
    state: FormState,
    now: datetime,
    policy: EscalationPolicy,
) -> tuple[FormState, dict[str, Any]]:
    """Raise the urgent report the moment a mandatory-report situation is answered."""
    answers = state.answers
    if draft.form != "visit" or answers.get("_urgent_escalation"):
        return state, {}
    if not any(s in URGENT for s in answers.get("urgent") or []):
        return state, {}
    if "urgent_note" not in answers:
        return state, {}
    escalation_id = raise_urgent(
        session=session,
        caller=caller,
        answers=answers,
        draft_id=draft.id or 0,
        now=now,
        policy=policy,
    )
    return replace(state, answers={**answers, "_urgent_escalation": escalation_id}), {
        "urgent": True
    }
