"""What every level's message says: the whole report, who to call, and what happened so far.

Built when a message is queued, as notification parameters (the outbox holds them encrypted)
and rendered in the recipient's language when sent. The caregiver's, parents' and director's
phones are shown in full, because the people who must act need to call them: each display is
written to the audit log, numbers masked there.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.care.escalation.policy import ACKNOWLEDGED, RESOLVED, EscalationPolicy, Report
from bot.i18n import N_
from bot.notify.notification import Notification
from bot.personal import mask_id_number, mask_phone, national_phone
from storage import child_queries, escalation_queries
from storage.child_models import Child
from storage.visit_models import Escalation

ROLE_LABEL = {
    ("director", "village"): N_("ladder.role.director"),
    ("supervisor", "township"): N_("ladder.role.supervisor"),
    ("admin", "county"): N_("ladder.role.admin_county"),
    ("admin", "city"): N_("ladder.role.admin_city"),
    ("admin", "province"): N_("ladder.role.admin_province"),
}
PERSON_LABEL = {
    "father": N_("ladder.person.father"),
    "mother": N_("ladder.person.mother"),
    "caregiver": N_("ladder.person.caregiver"),
}
# Events the message's history tells (being told is listed on its own line).
HISTORY = {
    "no_supervisor": N_("ladder.history.no_supervisor"),
    "acknowledged": N_("ladder.history.acknowledged"),
    "asked": N_("ladder.history.asked"),
    "answered": N_("ladder.history.answered"),
    "to_township": N_("ladder.history.to_township"),
    "to_county": N_("ladder.history.to_county"),
    "to_city": N_("ladder.history.to_city"),
    "to_province": N_("ladder.history.to_province"),
    "unrouted": N_("ladder.history.unrouted"),
    "chased": N_("ladder.history.chased"),
    "released": N_("ladder.history.released"),
    "informed": N_("ladder.history.informed"),
    "resolved": N_("ladder.history.resolved"),
}
HISTORY_LINES = 12  # the newest; a long story must not push the report past one message


def role_label(role: str | None, level: str | None) -> str:
    return ROLE_LABEL.get((role or "", level or ""), N_("ladder.role.staff"))


def local_time(at: datetime, policy: EscalationPolicy) -> str:
    return at.astimezone(policy.timezone).strftime("%Y-%m-%d %H:%M")


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _phone(number: str | None) -> str:
    if not number:
        return ""
    try:
        return national_phone(number)
    except Exception:  # a number stored before phones were checked: shown as written
        return number


def contacts(session: Session, child: Child) -> list[list[str]]:
    """The parents and the caregiver as [label key, name, phone in full]."""
    assert child.id is not None
    people = [
        [PERSON_LABEL.get(g.relation, N_("ladder.person.guardian")), g.name or "", _phone(g.phone)]
        for g in child_queries.guardians_of(session=session, child_id=child.id)
        if g.name or g.phone
    ]
    caregiver = child_queries.caregiver_of(session=session, child_id=child.id)
    if caregiver is not None and (caregiver.name or caregiver.phone):
        people.append([PERSON_LABEL["caregiver"], caregiver.name or "", _phone(caregiver.phone)])
    return people


def report_of(esc: Escalation) -> Report:
    """What the director reported; an escalation older than stored reports has its reason."""
    if esc.report:
        return Report.from_json(esc.report)
    return Report(note=esc.reason)


def _story(session: Session, esc: Escalation, policy: EscalationPolicy) -> dict[str, Any]:
    """Who was told, who acknowledged, and the history, from the escalation's events."""
    assert esc.id is not None
    told: list[list[str]] = []
    history: list[list[str]] = []
    acknowledged = ""
    for row in escalation_queries.events_of(session=session, esc_id=esc.id):
        event = row.event
        who = [role_label(row.role, row.level), row.name or ""]
        if event.action == "told":
            if who not in told:
                told.append(who)
        elif event.action in HISTORY:
            history.append(
                [HISTORY[event.action], *who, local_time(event.at, policy), event.note or ""]
            )
        if event.action == "acknowledged":
            acknowledged = row.name or ""
    if esc.state not in (ACKNOWLEDGED, RESOLVED):
        acknowledged = ""
    return {"told": told, "acknowledged": acknowledged, "history": history[-HISTORY_LINES:]}


def report_notice(
    session: Session,
    esc: Escalation,
    child: Child,
    policy: EscalationPolicy,
    now: datetime,
    reason_key: str | None,
) -> Notification:
    """The whole report as its recipients get it, at any level."""
    assert esc.id is not None
    report = report_of(esc)
    director = escalation_queries.staff_by_id(session=session, staff_id=esc.raised_by)
    village = escalation_queries.unit_name(session=session, code=esc.village_code)
    informed = [
        [m.kind, local_time(m.informed_at, policy)]
        for m in escalation_queries.measures_of(session=session, esc_id=esc.id)
    ]
    return Notification(
        "escalation.report",
        {
            "esc_id": esc.id,
            "urgent": esc.urgent,
            "reason": reason_key,
            "child": {
                "name": child.name,
                "id": mask_id_number(child.id_number),
                "category": child.category,
                "risk": child.risk_tier,
                "age": age_on(child.birth_date, now.astimezone(policy.timezone).date()),
                "village": village or esc.village_code,
                "address": child.home_address,
            },
            "situations": list(report.situations),
            "note": report.note,
            "problems": [list(problem) for problem in report.problems],
            "measures": report.measures,
            "people": contacts(session, child),
            "director": [director.name or "", _phone(director.phone)] if director else None,
            "raised": local_time(esc.raised_at, policy),
            "informed": informed,
            **_story(session, esc, policy),
        },
    )


def audit_numbers_shown(
    session: Session, esc: Escalation, person_id: int, notice: Notification, now: datetime
) -> None:
    """Record that one person is shown the report's phone numbers and address in full."""
    params = notice.params
    numbers = [mask_phone(phone) for _, _, phone in params["people"] if phone]
    director = params.get("director")
    if director and director[1]:
        numbers.append(mask_phone(director[1]))
    record_audit(
        session=session,
        actor=Actor.staff(person_id),
        action="escalation.full_numbers_shown",
        table="child",
        record_id=esc.child_id,
        new={"escalation": esc.id, "phones": numbers, "address": True},
        at=now,
    )
