"""Escalations: flagged and urgent reports go up the routing ladder, township first.

Nobody able to receive at the township (or nobody acknowledging in time) sends a report to the
county admins, or to the city's, then the province's, when a level has nobody: see
`bot.people.roles` for the ladder. Messages are notifications, rendered when they are sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.errors import AccessDenied, UserError
from bot.i18n import N_
from bot.notify.notification import Notification, text_notice
from bot.notify.outbox import enqueue
from bot.people.access import Caller
from bot.people.roles import Action, first_staffed, ladder_above, may
from bot.personal import mask_id_number, mask_phone
from storage import escalation_queries, outbox_queries, recipient_queries
from storage.child_models import Child
from storage.models import OrgLevel
from storage.outbox_models import FAILED, UNDELIVERABLE, OutboxMessage
from storage.recipient_queries import Recipient
from storage.visit_models import Escalation, EscalationEvent

TOWNSHIP, COUNTY = OrgLevel.TOWNSHIP.value, OrgLevel.COUNTY.value
CITY, PROVINCE = OrgLevel.CITY.value, OrgLevel.PROVINCE.value
# Why a report went above the township, worded for the level it reached.
NO_SUPERVISOR = {
    COUNTY: N_("escalation.no_supervisor"),
    CITY: N_("escalation.no_supervisor.city"),
    PROVINCE: N_("escalation.no_supervisor.province"),
}
NOT_ACKNOWLEDGED = {
    COUNTY: N_("escalation.not_acknowledged"),
    CITY: N_("escalation.not_acknowledged.city"),
    PROVINCE: N_("escalation.not_acknowledged.province"),
}
UNREACHABLE = {
    COUNTY: N_("escalation.unreachable"),
    CITY: N_("escalation.unreachable.city"),
    PROVINCE: N_("escalation.unreachable.province"),
}
TOLD_DIRECTOR_ABOVE = {
    COUNTY: N_("escalation.told_director_county"),
    CITY: N_("escalation.told_director_city"),
    PROVINCE: N_("escalation.told_director_province"),
}
OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"


@dataclass(frozen=True)
class EscalationPolicy:
    """How long each level has to acknowledge before the report goes up."""

    urgent_sla: timedelta = timedelta(hours=1)
    normal_sla: timedelta = timedelta(hours=24)
    # The township's other oversight: whether new files (and edits of the facts that decide
    # eligibility and the risk tier) go to its supervisors for review (REVIEW_NEW_FILES).
    review_new_files: bool = True

    def sla(self, urgent: bool) -> timedelta:
        return self.urgent_sla if urgent else self.normal_sla


@dataclass(frozen=True)
class Report:
    """What the supervisor needs to read in one message."""

    situations: Sequence[str] = ()  # choice label keys of mandatory-report situations
    problems: Sequence[tuple[str, str]] = ()  # (category label key, note)
    measures: str = ""
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _people_at(session: Session) -> Any:
    return lambda rung: recipient_queries.enrolled_staff_at(
        session=session, org_code=rung.org_code, role=rung.role.value
    )


def recipients(session: Session, village_code: str, level: str) -> list[Recipient]:
    """Whoever receives a village's escalations at a level of the ladder (may be nobody)."""
    chain = recipient_queries.unit_chain(session=session, code=village_code)
    for rung in ladder_above(chain, from_level=level):
        if rung.level == level:
            return list(_people_at(session)(rung))
    return []


def climb(session: Session, village_code: str, from_level: str) -> tuple[str, list[Recipient]]:
    """The nearest level at or above `from_level` with anyone to receive, and them; when the
    whole ladder is empty, `from_level` and nobody."""
    chain = recipient_queries.unit_chain(session=session, code=village_code)
    found = first_staffed(ladder_above(chain, from_level=from_level), _people_at(session))
    if found is None:
        return from_level, []
    rung, people = found
    return rung.level, people


def first_name(name: str) -> str:
    """Return the given name only (a two-character name keeps its last character)."""
    return name[1:] if len(name) >= 2 else name


def _report_notice(
    session: Session, esc: Escalation, child: Child, report: Report, reason_key: str | None
) -> Notification:
    """The report as its recipients get it; masked and shortened here, rendered when sent."""
    director = escalation_queries.staff_by_id(session=session, staff_id=esc.raised_by)
    return Notification(
        "escalation.report",
        {
            "esc_id": esc.id,
            "urgent": esc.urgent,
            "reason": reason_key,
            "child": {
                "name": first_name(child.name),
                "id": mask_id_number(child.id_number),
                "category": child.category,
                "risk": child.risk_tier,
            },
            "situations": list(report.situations),
            "note": report.note,
            "problems": [list(problem) for problem in report.problems],
            "measures": report.measures,
            "director": [director.name, director.phone] if director is not None else None,
        },
    )


def _event(
    session: Session,
    esc: Escalation,
    action: str,
    actor_id: int | None,
    now: datetime,
    note: str | None = None,
) -> None:
    assert esc.id is not None
    escalation_queries.add_event(
        session=session,
        event=EscalationEvent(
            escalation_id=esc.id, action=action, actor_id=actor_id, note=note, at=now
        ),
    )
    record_audit(
        session=session,
        actor=Actor.staff(actor_id) if actor_id else Actor.cli(),
        action=f"escalation.{action}",
        table="escalation",
        record_id=esc.id,
        new={"state": esc.state, "level": esc.level},
        at=now,
    )


def _send_to(
    session: Session,
    esc: Escalation,
    people: list[Recipient],
    child: Child,
    report: Report,
    now: datetime,
    *,
    reason_key: str | None = None,
) -> None:
    notice = _report_notice(session, esc, child, report, reason_key)
    director = notice.params.get("director")
    for person in people:
        if director and director[1]:
            # The report shows the director's full phone number: who was shown it is audited.
            record_audit(
                session=session,
                actor=Actor.staff(person.id),
                action="escalation.phone_shown",
                table="staff",
                record_id=esc.raised_by,
                new={"escalation": esc.id, "phone": mask_phone(director[1])},
                at=now,
            )
        enqueue(
            session=session,
            key=f"esc:{esc.id}:{esc.level}:{person.id}",
            recipient=person,
            message=notice,
            now=now,
            event=f"escalation:{esc.id}:{esc.level}",
        )


def _tell(
    session: Session, staff_id: int | None, key: str, notice: Notification, now: datetime
) -> None:
    """Queue one notice to one staff member, once per key (nothing if they cannot receive)."""
    recipient = recipient_queries.recipient_by_id(session=session, staff_id=staff_id)
    enqueue(session=session, key=key, recipient=recipient, message=notice, now=now)


def raise_escalation(
    *,
    session: Session,
    child: Child,
    raised_by: int,
    urgent: bool,
    reason: str,
    report: Report,
    now: datetime,
    policy: EscalationPolicy,
    visit_id: int | None = None,
    draft_id: int | None = None,
) -> Escalation:
    """Open an escalation and queue it to the township, or up the ladder when nobody is there."""
    assert child.id is not None
    esc = escalation_queries.add_escalation(
        session=session,
        escalation=Escalation(
            child_id=child.id,
            visit_id=visit_id,
            draft_id=draft_id,
            village_code=child.village_code,
            urgent=urgent,
            reason=reason,
            raised_by=raised_by,
            raised_at=now,
            due_by=now + policy.sla(urgent),
        ),
    )
    _event(session, esc, "raised", raised_by, now, reason)
    supervisors = recipients(session, esc.village_code, TOWNSHIP)
    if supervisors:
        _send_to(session, esc, supervisors, child, report, now)
    else:
        esc.level, people = climb(session, esc.village_code, COUNTY)
        _event(session, esc, "no_supervisor", None, now)
        reason_key = NO_SUPERVISOR[esc.level]
        _send_to(session, esc, people, child, report, now, reason_key=reason_key)
    key = N_("escalation.told_director") if supervisors else TOLD_DIRECTOR_ABOVE[esc.level]
    _tell(
        session,
        raised_by,
        f"esc:{esc.id}:raised:director",
        text_notice(key, name=first_name(child.name)),
        now,
    )
    return esc


def actionable(*, session: Session, caller: Caller, esc_id: int) -> Escalation:
    """Return the escalation if a supervisor or admin of its area may act on it."""
    esc = escalation_queries.escalation_by_id(session=session, esc_id=esc_id)
    allowed = may(caller.role, Action.HANDLE_ESCALATIONS)
    if esc is None or not allowed or not caller.sees(esc.village_code):
        raise AccessDenied(N_("escalation.error.not_yours"), table="escalation", record_id=esc_id)
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


def _child_name(session: Session, esc: Escalation) -> str:
    child = escalation_queries.child_of(session=session, escalation=esc)
    return first_name(child.name) if child is not None else ""


def acknowledge(*, session: Session, caller: Caller, esc_id: int, now: datetime) -> Escalation:
    """Take ownership of an open escalation; the first to acknowledge owns it."""
    esc = actionable(session=session, caller=caller, esc_id=esc_id)
    if esc.state != OPEN:
        raise UserError(N_("escalation.error.taken"), name=_owner_name(session, esc))
    esc.state, esc.owner_id = ACKNOWLEDGED, caller.staff_id
    _event(session, esc, "acknowledged", caller.staff_id, now)
    name = caller.name or ""
    taken = text_notice(N_("escalation.taken_by"), id=esc.id or 0, name=name)
    _tell_others(session, esc, caller.staff_id, "ack", taken, now)
    told = text_notice(N_("escalation.director_ack"), child=_child_name(session, esc), name=name)
    _tell(session, esc.raised_by, f"esc:{esc.id}:ack:director", told, now)
    return esc


def resolve(
    *, session: Session, caller: Caller, esc_id: int, note: str, now: datetime
) -> Escalation:
    """Close an escalation with a note; the director and the others are told."""
    esc = actionable(session=session, caller=caller, esc_id=esc_id)
    if esc.state == RESOLVED:
        raise UserError(N_("escalation.error.resolved"))
    if esc.owner_id not in (None, caller.staff_id):
        raise UserError(N_("escalation.error.taken"), name=_owner_name(session, esc))
    esc.state, esc.owner_id, esc.resolution = RESOLVED, caller.staff_id, note
    _event(session, esc, "resolved", caller.staff_id, now, note)
    name = caller.name or ""
    resolved = text_notice(N_("escalation.resolved_by"), id=esc.id or 0, name=name)
    _tell_others(session, esc, caller.staff_id, "res", resolved, now)
    told = text_notice(
        N_("escalation.director_resolved"), child=_child_name(session, esc), name=name, note=note
    )
    _tell(session, esc.raised_by, f"esc:{esc.id}:res:director", told, now)
    return esc


def ask_director(
    *, session: Session, caller: Caller, esc_id: int, question: str, now: datetime
) -> Escalation:
    """Send the director a question about the report, with a Reply button."""
    esc = actionable(session=session, caller=caller, esc_id=esc_id)
    _event(session, esc, "asked", caller.staff_id, now, question)
    count = escalation_queries.count_events(session=session, esc_id=esc_id, action="asked")
    notice = Notification(
        "escalation.question", {"esc_id": esc.id, "name": caller.name or "", "question": question}
    )
    _tell(session, esc.raised_by, f"esc:{esc.id}:ask:{count}", notice, now)
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
    _event(session, esc, "answered", caller.staff_id, now, answer)
    count = escalation_queries.count_events(session=session, esc_id=esc_id, action="answered")
    notice = text_notice(
        N_("escalation.answer"), id=esc.id or 0, name=caller.name or "", answer=answer
    )
    if esc.owner_id:
        _tell(session, esc.owner_id, f"esc:{esc.id}:answer:{count}:{esc.owner_id}", notice, now)
        return esc
    for person in recipients(session, esc.village_code, esc.level):
        key = f"esc:{esc.id}:answer:{count}:{person.id}"
        enqueue(session=session, key=key, recipient=person, message=notice, now=now)
    return esc


def move_overdue(*, session: Session, now: datetime, policy: EscalationPolicy) -> int:
    """Send township escalations nobody acknowledged in time on up the ladder."""
    overdue = escalation_queries.overdue_at_level(
        session=session, level=TOWNSHIP, state=OPEN, now=now
    )
    for esc in overdue:
        go_up(session, esc, now, policy, NOT_ACKNOWLEDGED)
    return len(overdue)


def go_up(
    session: Session,
    esc: Escalation,
    now: datetime,
    policy: EscalationPolicy,
    reasons: dict[str, str],
) -> None:
    """Move an escalation to the county admins (or the city's, then the province's, when a
    level has nobody), saying why in the words `reasons` has for the level it reaches."""
    esc.level, people = climb(session, esc.village_code, COUNTY)
    reason_key = reasons[esc.level]
    esc.due_by = now + policy.sla(esc.urgent)
    _event(session, esc, f"to_{esc.level}", None, now, reason_key)
    child = escalation_queries.child_of(session=session, escalation=esc)
    if child is not None:
        report = Report(note=esc.reason)
        _send_to(session, esc, people, child, report, now, reason_key=reason_key)


def on_undeliverable(
    *, session: Session, row: OutboxMessage, now: datetime, policy: EscalationPolicy
) -> None:
    """When nobody at the township can receive an escalation (all blocked the bot), go up."""
    _, esc_id, level = row.event.split(":")
    esc = escalation_queries.escalation_by_id(session=session, esc_id=int(esc_id))
    if esc is None or esc.state != OPEN or esc.level != TOWNSHIP or level != TOWNSHIP:
        return
    states = outbox_queries.states_of_event(session=session, event=row.event)
    if all(state in (UNDELIVERABLE, FAILED) for state in states):
        go_up(session, esc, now, policy, UNREACHABLE)


@dataclass(frozen=True)
class EscalationItem:
    id: int
    values: dict[str, Any]


def escalation_list(*, session: Session, caller: Caller) -> list[EscalationItem]:
    """Describe the open escalations in the caller's area for the list, oldest first."""
    listed = escalation_queries.unresolved_in_area(
        session=session, area_prefix=caller.area_prefix, resolved=RESOLVED
    )
    return [
        EscalationItem(
            esc.id or 0,
            {
                "id": esc.id,
                "child": first_name(child) if child else "",
                "village": village or esc.village_code,
                "raised": esc.raised_at.isoformat(timespec="minutes"),
                "state": esc.state,
                "urgent": "🚨" if esc.urgent else "",
                "owner": owner or "-",
            },
        )
        for esc, child, village, owner in listed
    ]
