"""Raising an escalation and moving it up: township → county → city → province.

A level where nobody can receive (none enrolled, or all blocked the bot) is skipped at once.
When nobody anywhere can, the director is told so plainly, with 110/120 again, and the
escalation is listed as unrouted until someone in its area enrols and is shown it first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.care.escalation.message import audit_numbers_shown, report_notice, role_label
from bot.care.escalation.policy import (
    ACKNOWLEDGED,
    CITY,
    COUNTY,
    LEVELS,
    OPEN,
    PROVINCE,
    RESOLVED,
    TOWNSHIP,
    EscalationPolicy,
    Report,
    level_above,
)
from bot.care.escalation.routing import climb, first_name
from bot.i18n import N_
from bot.notify.notification import Notification
from bot.notify.outbox import enqueue
from bot.people.orgs import area_prefix_of
from storage import escalation_queries, outbox_queries, recipient_queries
from storage.child_models import Child
from storage.models import Role
from storage.outbox_models import FAILED, UNDELIVERABLE, OutboxMessage
from storage.recipient_queries import Recipient
from storage.visit_models import Escalation, EscalationEvent

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
NOT_RESOLVED = {
    COUNTY: N_("ladder.not_resolved.county"),
    CITY: N_("ladder.not_resolved.city"),
    PROVINCE: N_("ladder.not_resolved.province"),
}
NOT_ACKNOWLEDGED_ABOVE = {
    CITY: N_("ladder.not_acknowledged_above.city"),
    PROVINCE: N_("ladder.not_acknowledged_above.province"),
}
UNROUTED_NOW_SHOWN = N_("ladder.unrouted_shown")
TOLD_DIRECTOR = {
    TOWNSHIP: N_("escalation.told_director"),
    COUNTY: N_("escalation.told_director_county"),
    CITY: N_("escalation.told_director_city"),
    PROVINCE: N_("escalation.told_director_province"),
}
MOVED_DIRECTOR = N_("ladder.moved_director")


def event(
    session: Session,
    esc: Escalation,
    action: str,
    actor_id: int | None,
    now: datetime,
    note: str | None = None,
) -> None:
    """Record one step of an escalation, and audit it."""
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


def tell(
    session: Session, staff_id: int | None, key: str, notice: Notification, now: datetime
) -> None:
    """Queue one notice to one staff member, once per key (nothing if they cannot receive)."""
    recipient = recipient_queries.recipient_by_id(session=session, staff_id=staff_id)
    enqueue(session=session, key=key, recipient=recipient, message=notice, now=now)


def child_name(session: Session, esc: Escalation) -> str:
    child = escalation_queries.child_of(session=session, escalation=esc)
    return first_name(child.name) if child is not None else ""


def _send_to(
    session: Session,
    esc: Escalation,
    people: list[Recipient],
    child: Child,
    now: datetime,
    policy: EscalationPolicy,
    reason_key: str | None,
    round_key: str = "",
) -> None:
    """Queue the whole report to each person, recording that they were told."""
    for person in people:
        event(session, esc, "told", person.id, now)
    session.flush()
    notice = report_notice(session, esc, child, policy, now, reason_key)
    for person in people:
        audit_numbers_shown(session, esc, person.id, notice, now)
        enqueue(
            session=session,
            key=f"esc:{esc.id}:{esc.level}:{person.id}{round_key}",
            recipient=person,
            message=notice,
            now=now,
            event=f"escalation:{esc.id}:{esc.level}",
        )


def _people_names(session: Session, people: list[Recipient]) -> list[list[str]]:
    names = []
    for person in people:
        unit = escalation_queries.unit_of(session=session, code=person.org_code)
        names.append([role_label(person.role, unit.level if unit else None), person.name or ""])
    return names


def route(
    session: Session,
    esc: Escalation,
    from_level: str,
    reasons: Mapping[str, str] | None,
    now: datetime,
    policy: EscalationPolicy,
    *,
    director_key: str | None = None,
    round_key: str = "",
) -> bool:
    """Send an escalation to the nearest level at or above `from_level` with anyone to receive,
    telling the director who received it; when nobody can, list it as unrouted. Tell whether
    anyone received it."""
    child = escalation_queries.child_of(session=session, escalation=esc)
    level, people = climb(session, esc.village_code, from_level)
    if child is None or not people:
        _unrouted(session, esc, now, policy)
        return False
    moved = level != esc.level or esc.unrouted_at is not None
    esc.level, esc.unrouted_at = level, None
    esc.due_by = now + policy.sla(esc.urgent, level)
    reason_key = (reasons or {}).get(level)
    if moved:
        event(session, esc, f"to_{level}", None, now, reason_key)
    _send_to(session, esc, people, child, now, policy, reason_key, round_key)
    key = director_key or TOLD_DIRECTOR.get(level, MOVED_DIRECTOR)
    told = Notification(
        "escalation.director_told",
        {
            "key": key,
            "values": {"name": first_name(child.name), "id": esc.id},
            "people": _people_names(session, people),
        },
    )
    tell(session, esc.raised_by, f"esc:{esc.id}:{level}{round_key}:director", told, now)
    return True


def _unrouted(session: Session, esc: Escalation, now: datetime, policy: EscalationPolicy) -> None:
    """Nobody anywhere can receive: list it, tell the director plainly, and try again later."""
    if esc.unrouted_at is None:
        esc.unrouted_at = now
        event(session, esc, "unrouted", None, now)
    # The SLA check tries again each period: someone may have enrolled or unblocked the bot.
    esc.due_by = now + policy.sla(esc.urgent, esc.level)
    notice = Notification(
        "text",
        {"key": N_("ladder.unrouted_director"), "values": {"name": child_name(session, esc)}},
    )
    tell(session, esc.raised_by, f"esc:{esc.id}:unrouted:director", notice, now)


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
            report=report.to_json(),
            raised_by=raised_by,
            raised_at=now,
            due_by=now + policy.sla(urgent),
        ),
    )
    event(session, esc, "raised", raised_by, now, reason)
    raiser = escalation_queries.staff_by_id(session=session, staff_id=raised_by)
    if raiser is not None and raiser.role == Role.SUPERVISOR:
        # The township already knows: a supervisor's own report goes to the level above.
        route(session, esc, COUNTY, None, now, policy)
    else:
        route(session, esc, TOWNSHIP, NO_SUPERVISOR, now, policy)
    return esc


def go_up(
    session: Session,
    esc: Escalation,
    now: datetime,
    policy: EscalationPolicy,
    reasons: Mapping[str, str],
) -> bool:
    """Move an escalation to the next level up with anyone to receive (the owner, if any, lets
    it go), saying why in the words `reasons` has for the level it reaches."""
    above = level_above(esc.level)
    if above is None or not climb(session, esc.village_code, above)[1]:
        # Nobody above can receive: it stays with this level (who have it), looked at again
        # after the level's time; the province is the top in any case.
        esc.due_by = now + policy.sla(esc.urgent, esc.level)
        return False
    esc.state, esc.owner_id, esc.chased_at = OPEN, None, None
    return route(session, esc, above, reasons, now, policy, director_key=MOVED_DIRECTOR)


def move_overdue(*, session: Session, now: datetime, policy: EscalationPolicy) -> int:
    """Send escalations nobody acknowledged in time on up the ladder; retry unrouted ones."""
    overdue = escalation_queries.overdue_in(session=session, levels=LEVELS, state=OPEN, now=now)
    moved = 0
    for esc in overdue:
        if esc.unrouted_at is not None:
            moved += route(session, esc, TOWNSHIP, NO_SUPERVISOR, now, policy)
        else:
            reasons = NOT_ACKNOWLEDGED if esc.level == TOWNSHIP else NOT_ACKNOWLEDGED_ABOVE
            moved += go_up(session, esc, now, policy, {**NOT_ACKNOWLEDGED, **reasons})
    return moved


def on_undeliverable(
    *, session: Session, row: OutboxMessage, now: datetime, policy: EscalationPolicy
) -> None:
    """When nobody at a level can receive an escalation (all blocked the bot), go up."""
    _, esc_id, level = row.event.split(":")
    esc = escalation_queries.escalation_by_id(session=session, esc_id=int(esc_id))
    if esc is None or esc.state != OPEN or esc.level != level:
        return
    states = outbox_queries.states_of_event(session=session, event=row.event)
    if not all(state in (UNDELIVERABLE, FAILED) for state in states):
        return
    if not go_up(session, esc, now, policy, UNREACHABLE):
        # Nobody above either, and nobody here can receive: nobody at all can.
        _unrouted(session, esc, now, policy)


def show_unrouted(
    *, session: Session, staff_id: int, now: datetime, policy: EscalationPolicy
) -> int:
    """Route the unrouted escalations of a newly enrolled supervisor's or admin's area: now
    someone can receive them. Tell how many went out."""
    staff = escalation_queries.staff_by_id(session=session, staff_id=staff_id)
    if staff is None or staff.role == "director":
        return 0
    session.flush()  # the routing reads the enrolment this transaction made
    prefix = area_prefix_of(session=session, code=staff.org_code)
    listed = escalation_queries.unrouted(session=session, area_prefix=prefix, resolved=RESOLVED)
    shown = 0
    for esc in listed:
        shown += route(
            session, esc, TOWNSHIP, NO_SUPERVISOR, now, policy, director_key=UNROUTED_NOW_SHOWN
        )
    return shown


__all__ = [
    "ACKNOWLEDGED",
    "NOT_ACKNOWLEDGED",
    "NOT_RESOLVED",
    "UNREACHABLE",
    "go_up",
    "move_overdue",
    "on_undeliverable",
    "raise_escalation",
    "route",
    "show_unrouted",
]
