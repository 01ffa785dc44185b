"""What the people who receive an escalation do: acknowledge, resolve, ask, record who else was
informed; and the director's reply. A press on another area's or a resolved escalation is
refused (AccessDenied: the handler tells the person and audits the attempt)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.care.escalation.ladder import child_name, event, tell
from bot.care.escalation.policy import (
    ACKNOWLEDGED,
    CITY,
    COUNTY,
    OPEN,
    PROVINCE,
    RESOLVED,
    TOWNSHIP,
    EscalationPolicy,
)
from bot.care.escalation.routing import recipients
from bot.errors import AccessDenied, UserError
from bot.i18n import N_
from bot.notify.notification import Notification, text_notice
from bot.notify.outbox import enqueue
from bot.people.access import Caller
from bot.people.roles import Action, may
from storage import escalation_queries
from storage.visit_models import Escalation, EscalationMeasure

DIRECTOR_ACK_ABOVE = {
    COUNTY: N_("ladder.director_ack.county"),
    CITY: N_("ladder.director_ack.city"),
    PROVINCE: N_("ladder.director_ack.province"),
}
# Who else can be told of an urgent report, each a button on its message.
INFORMED = {
    "police": N_("ladder.informed.police"),
    "ambulance": N_("ladder.informed.ambulance"),
    "school": N_("ladder.informed.school"),
    "other": N_("ladder.informed.other"),
}


def actionable(
    *, session: Session, caller: Caller, esc_id: int, resolved_ok: bool = False
) -> Escalation:
    """Return the escalation if a supervisor or admin of its area may act on it now; a resolved
    one is refused too (a stale button), unless `resolved_ok`."""
    esc = escalation_queries.escalation_by_id(session=session, esc_id=esc_id)
    allowed = may(caller.role, Action.HANDLE_ESCALATIONS)
    if esc is None or not allowed or not caller.sees(esc.village_code):
        raise AccessDenied(N_("escalation.error.not_yours"), table="escalation", record_id=esc_id)
    if esc.state == RESOLVED and not resolved_ok:
        raise AccessDenied(N_("escalation.error.resolved"), table="escalation", record_id=esc_id)
    return esc


def _tell_others(
    session: Session, esc: Escalation, actor_id: int, step: str, notice: Notification, now: datetime
) -> None:
    for person in recipients(session, esc.village_code, esc.level):
        if person.id != actor_id:
            key = f"esc:{esc.id}:{step}:{person.id}"
            enqueue(session=session, key=key, recipient=person, message=notice, now=now)


def _owner_name(session: Session, esc: Escalation) -> str:
    owner = escalation_queries.staff_by_id(session=session, staff_id=esc.owner_id)
    return owner.name if owner is not None and owner.name else ""


def acknowledge(
    *,
    session: Session,
    caller: Caller,
    esc_id: int,
    now: datetime,
    policy: EscalationPolicy | None = None,
) -> Escalation:
    """Take ownership of an open escalation; the first to acknowledge owns it. The owner is
    reminded if it is still unresolved after the follow-up time."""
    esc = actionable(session=session, caller=caller, esc_id=esc_id)
    if esc.state != OPEN:
        raise UserError(N_("escalation.error.taken"), name=_owner_name(session, esc))
    esc.state, esc.owner_id = ACKNOWLEDGED, caller.staff_id
    esc.due_by, esc.chased_at = now + (policy or EscalationPolicy()).followup(esc.urgent), None
    event(session, esc, "acknowledged", caller.staff_id, now)
    name = caller.name or ""
    taken = text_notice(N_("escalation.taken_by"), id=esc.id or 0, name=name)
    _tell_others(session, esc, caller.staff_id, "ack", taken, now)
    # The director learns who took it: a supervisor, or an admin above (by their office).
    key = N_("escalation.director_ack") if esc.level == TOWNSHIP else DIRECTOR_ACK_ABOVE[esc.level]
    told = text_notice(key, child=child_name(session, esc), name=name)
    tell(session, esc.raised_by, f"esc:{esc.id}:ack:{caller.staff_id}:director", told, now)
    return esc


def resolve(
    *, session: Session, caller: Caller, esc_id: int, note: str, now: datetime
) -> Escalation:
    """Close an escalation with a note; the director and the others are told."""
    esc = actionable(session=session, caller=caller, esc_id=esc_id)
    if esc.owner_id not in (None, caller.staff_id):
        raise UserError(N_("escalation.error.taken"), name=_owner_name(session, esc))
    esc.state, esc.owner_id, esc.resolution = RESOLVED, caller.staff_id, note
    esc.unrouted_at = None
    event(session, esc, "resolved", caller.staff_id, now, note)
    name = caller.name or ""
    resolved = text_notice(N_("escalation.resolved_by"), id=esc.id or 0, name=name)
    _tell_others(session, esc, caller.staff_id, "res", resolved, now)
    told = text_notice(
        N_("escalation.director_resolved"), child=child_name(session, esc), name=name, note=note
    )
    tell(session, esc.raised_by, f"esc:{esc.id}:res:director", told, now)
    return esc


def ask_director(
    *, session: Session, caller: Caller, esc_id: int, question: str, now: datetime
) -> Escalation:
    """Send the director a question about the report, with a Reply button."""
    esc = actionable(session=session, caller=caller, esc_id=esc_id)
    event(session, esc, "asked", caller.staff_id, now, question)
    count = escalation_queries.count_events(session=session, esc_id=esc_id, action="asked")
    notice = Notification(
        "escalation.question", {"esc_id": esc.id, "name": caller.name or "", "question": question}
    )
    tell(session, esc.raised_by, f"esc:{esc.id}:ask:{count}", notice, now)
    return esc


def own_report(*, session: Session, caller: Caller, esc_id: int) -> Escalation:
    """Return the escalation if the caller is the director who raised it."""
    esc = escalation_queries.escalation_by_id(session=session, esc_id=esc_id)
    if esc is None or esc.raised_by != caller.staff_id:
        raise AccessDenied(N_("escalation.error.not_yours"), table="escalation", record_id=esc_id)
    return esc


def reply_to_question(
    *, session: Session, caller: Caller, esc_id: int, answer: str, now: datetime
) -> Escalation:
    """Send the director's answer to whoever asked (the owner, or every recipient)."""
    esc = own_report(session=session, caller=caller, esc_id=esc_id)
    event(session, esc, "answered", caller.staff_id, now, answer)
    count = escalation_queries.count_events(session=session, esc_id=esc_id, action="answered")
    notice = text_notice(
        N_("escalation.answer"), id=esc.id or 0, name=caller.name or "", answer=answer
    )
    if esc.owner_id:
        tell(session, esc.owner_id, f"esc:{esc.id}:answer:{count}:{esc.owner_id}", notice, now)
        return esc
    for person in recipients(session, esc.village_code, esc.level):
        key = f"esc:{esc.id}:answer:{count}:{person.id}"
        enqueue(session=session, key=key, recipient=person, message=notice, now=now)
    return esc


def record_informed(
    *, session: Session, caller: Caller, esc_id: int, kind: str, now: datetime
) -> EscalationMeasure:
    """Record that the police (110), an ambulance (120), the school or others were informed of
    an urgent report, and when; a second press keeps the first time. The director is told."""
    esc = actionable(session=session, caller=caller, esc_id=esc_id)
    if kind not in INFORMED or not esc.urgent:
        raise AccessDenied(N_("ladder.error.not_urgent"), table="escalation", record_id=esc_id)
    existing = escalation_queries.measure_of(session=session, esc_id=esc_id, kind=kind)
    if existing is not None:
        return existing
    measure = EscalationMeasure(
        escalation_id=esc_id, kind=kind, informed_at=now, recorded_by=caller.staff_id
    )
    escalation_queries.add_measure(session=session, measure=measure)
    event(session, esc, "informed", caller.staff_id, now, kind)
    notice = Notification(
        "escalation.informed",
        {"child": child_name(session, esc), "name": caller.name or "", "kind": kind},
    )
    tell(session, esc.raised_by, f"esc:{esc.id}:informed:{kind}:director", notice, now)
    return measure
