"""Escalations: flagged and urgent reports go to the township supervisors, then the county."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.audit import Actor, record_audit
from bot.errors import AccessDenied, UserError
from bot.i18n import N_, Translator, default_i18n
from bot.notify.outbox import enqueue
from bot.people.access import Caller
from bot.personal import mask_id_number, national_phone
from bot.reply import Reply
from storage import queries
from storage.child_models import Child
from storage.models import Role, Staff
from storage.outbox_models import FAILED, UNDELIVERABLE, OutboxMessage
from storage.visit_models import Escalation, EscalationEvent

TOWNSHIP, COUNTY = "township", "county"
TITLE = {True: N_("escalation.urgent_title"), False: N_("escalation.title")}
OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"


@dataclass(frozen=True)
class EscalationPolicy:
    """How long each level has to acknowledge before the report goes up."""

    urgent_sla: timedelta = timedelta(hours=1)
    normal_sla: timedelta = timedelta(hours=24)

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


def _staff_at(session: Session, org_code: str, role: Role) -> list[Staff]:
    statement = (
        select(Staff)
        .where(
            Staff.org_code == org_code,
            Staff.role == role.value,
            col(Staff.active).is_(True),
            col(Staff.telegram_user_id).is_not(None),
        )
        .order_by(col(Staff.id))
    )
    return list(session.exec(statement).all())


def recipients(session: Session, village_code: str, level: str) -> list[Staff]:
    """Return the active supervisors of the village's township, or the county's admins."""
    village = queries.get_org(session=session, code=village_code)
    township = queries.get_org(session=session, code=village.parent_code or "") if village else None
    if level == TOWNSHIP:
        return _staff_at(session, township.code, Role.SUPERVISOR) if township else []
    county = township.parent_code if township else None
    return _staff_at(session, county, Role.ADMIN) if county else []


def first_name(name: str) -> str:
    """Return the given name only (a two-character name keeps its last character)."""
    return name[1:] if len(name) >= 2 else name


def _summary(
    t: Translator, esc: Escalation, child: Child, director: Staff | None, report: Report
) -> str:
    lines = [t(TITLE[esc.urgent], id=esc.id)]
    lines.append(
        t(
            "escalation.child",
            name=first_name(child.name),
            id=mask_id_number(child.id_number),
            category=t.plain(f"choice.category.{child.category}"),
            risk=t.plain(f"choice.risk.{child.risk_tier}"),
        )
    )
    for key in report.situations:
        lines.append("🚨 " + t.plain(key))
    if report.note:
        lines.append(t("escalation.note", note=report.note))
    for category, note in report.problems:
        lines.append(t("escalation.problem", category=t.plain(category), note=note))
    if report.measures:
        lines.append(t("escalation.measures", measures=report.measures))
    if director is not None:
        phone = national_phone(director.phone) if director.phone else ""
        lines.append(t("escalation.director", name=director.name or "", phone=phone))
    return "\n".join(lines)


def _actions(t: Translator, esc_id: int) -> list[list[tuple[str, str]]]:
    return [
        [
            (t.plain("escalation.button.ack"), f"esc:ack:{esc_id}"),
            (t.plain("escalation.button.resolve"), f"esc:res:{esc_id}"),
        ],
        [(t.plain("escalation.button.ask"), f"esc:ask:{esc_id}")],
    ]


def _event(
    session: Session,
    esc: Escalation,
    action: str,
    actor_id: int | None,
    now: datetime,
    note: str | None = None,
) -> None:
    assert esc.id is not None
    session.add(
        EscalationEvent(escalation_id=esc.id, action=action, actor_id=actor_id, note=note, at=now)
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


def _translator(staff: Staff) -> Translator:
    return default_i18n().translator(staff.locale)


def _send_to_level(
    session: Session,
    esc: Escalation,
    child: Child,
    report: Report,
    now: datetime,
    *,
    reason_key: str | None = None,
) -> int:
    director = session.get(Staff, esc.raised_by)
    sent = 0
    for staff in recipients(session, esc.village_code, esc.level):
        t = _translator(staff)
        text = _summary(t, esc, child, director, report)
        if reason_key:
            text = t(reason_key) + "\n" + text
        enqueue(
            session=session,
            key=f"esc:{esc.id}:{esc.level}:{staff.id}",
            recipient=staff,
            message=Reply(text, _actions(t, esc.id or 0)),
            now=now,
            event=f"escalation:{esc.id}:{esc.level}",
        )
        sent += 1
    return sent


def notify(
    session: Session,
    staff: Staff | None,
    key: str,
    message_key: str,
    now: datetime,
    buttons: list[list[tuple[str, str]]] | None = None,
    **values: Any,
) -> None:
    """Queue one translated message to one staff member, once per key."""
    if staff is None:
        return
    t = _translator(staff)
    enqueue(
        session=session,
        key=key,
        recipient=staff,
        now=now,
        message=Reply(
            t(message_key, **values),
            [[(t.plain(label), data) for label, data in row] for row in buttons or []],
        ),
    )


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
    """Open an escalation and queue it to the township, or the county when nobody is there."""
    assert child.id is not None
    esc = Escalation(
        child_id=child.id,
        visit_id=visit_id,
        draft_id=draft_id,
        village_code=child.village_code,
        urgent=urgent,
        reason=reason,
        raised_by=raised_by,
        raised_at=now,
        due_by=now + policy.sla(urgent),
    )
    session.add(esc)
    session.flush()
    _event(session, esc, "raised", raised_by, now, reason)
    if _send_to_level(session, esc, child, report, now) == 0:
        esc.level = COUNTY
        _event(session, esc, "no_supervisor", None, now)
        _send_to_level(session, esc, child, report, now, reason_key=N_("escalation.no_supervisor"))
    key = (
        N_("escalation.told_director_county")
        if esc.level == COUNTY
        else N_("escalation.told_director")
    )
    notify(
        session,
        session.get(Staff, raised_by),
        f"esc:{esc.id}:raised:director",
        key,
        now,
        name=first_name(child.name),
    )
    return esc


def actionable(*, session: Session, caller: Caller, esc_id: int) -> Escalation:
    """Return the escalation if a supervisor or admin of its area may act on it."""
    esc = session.get(Escalation, esc_id)
    if esc is None or caller.role == Role.DIRECTOR or not caller.sees(esc.village_code):
        raise AccessDenied(N_("escalation.error.not_yours"), table="escalation", record_id=esc_id)
    return esc


def _tell_others(
    session: Session,
    esc: Escalation,
    actor_id: int,
    step: str,
    key: str,
    now: datetime,
    **values: Any,
) -> None:
    for staff in recipients(session, esc.village_code, esc.level):
        if staff.id != actor_id:
            notify(session, staff, f"esc:{esc.id}:{step}:{staff.id}", key, now, **values)


def acknowledge(*, session: Session, caller: Caller, esc_id: int, now: datetime) -> Escalation:
    """Take ownership of an open escalation; the first to acknowledge owns it."""
    esc = actionable(session=session, caller=caller, esc_id=esc_id)
    if esc.state != OPEN:
        owner = session.get(Staff, esc.owner_id) if esc.owner_id else None
        raise UserError(N_("escalation.error.taken"), name=owner.name if owner else "")
    esc.state, esc.owner_id = ACKNOWLEDGED, caller.staff_id
    _event(session, esc, "acknowledged", caller.staff_id, now)
    child = session.get(Child, esc.child_id)
    name = first_name(child.name) if child else ""
    _tell_others(
        session,
        esc,
        caller.staff_id,
        "ack",
        N_("escalation.taken_by"),
        now,
        id=esc.id,
        name=caller.name or "",
    )
    notify(
        session,
        session.get(Staff, esc.raised_by),
        f"esc:{esc.id}:ack:director",
        N_("escalation.director_ack"),
        now,
        child=name,
        name=caller.name or "",
    )
    return esc


def resolve(
    *, session: Session, caller: Caller, esc_id: int, note: str, now: datetime
) -> Escalation:
    """Close an escalation with a note; the director and the others are told."""
    esc = actionable(session=session, caller=caller, esc_id=esc_id)
    if esc.state == RESOLVED:
        raise UserError(N_("escalation.error.resolved"))
    if esc.owner_id not in (None, caller.staff_id):
        owner = session.get(Staff, esc.owner_id)
        raise UserError(N_("escalation.error.taken"), name=owner.name if owner else "")
    esc.state, esc.owner_id, esc.resolution = RESOLVED, caller.staff_id, note
    _event(session, esc, "resolved", caller.staff_id, now, note)
    child = session.get(Child, esc.child_id)
    _tell_others(
        session,
        esc,
        caller.staff_id,
        "res",
        N_("escalation.resolved_by"),
        now,
        id=esc.id,
        name=caller.name or "",
    )
    notify(
        session,
        session.get(Staff, esc.raised_by),
        f"esc:{esc.id}:res:director",
        N_("escalation.director_resolved"),
        now,
        child=first_name(child.name) if child else "",
        name=caller.name or "",
        note=note,
    )
    return esc


def ask_director(
    *, session: Session, caller: Caller, esc_id: int, question: str, now: datetime
) -> Escalation:
    """Send the director a question about the report, with a Reply button."""
    esc = actionable(session=session, caller=caller, esc_id=esc_id)
    _event(session, esc, "asked", caller.staff_id, now, question)
    count = session.exec(
        select(EscalationEvent).where(
            EscalationEvent.escalation_id == esc_id, EscalationEvent.action == "asked"
        )
    ).all()
    notify(
        session,
        session.get(Staff, esc.raised_by),
        f"esc:{esc.id}:ask:{len(count)}",
        N_("escalation.question"),
        now,
        buttons=[[(N_("escalation.button.reply"), f"esc:reply:{esc.id}")]],
        name=caller.name or "",
        question=question,
    )
    return esc


def own_report(*, session: Session, caller: Caller, esc_id: int) -> Escalation:
    """Return the escalation if the caller is the director who raised it."""
    esc = session.get(Escalation, esc_id)
    if esc is None or esc.raised_by != caller.staff_id:
        raise AccessDenied(N_("escalation.error.not_yours"), table="escalation", record_id=esc_id)
    return esc


def reply_to_question(
    *, session: Session, caller: Caller, esc_id: int, answer: str, now: datetime
) -> Escalation:
    """Send the director's answer to whoever asked (the owner, or every recipient)."""
    esc = own_report(session=session, caller=caller, esc_id=esc_id)
    _event(session, esc, "answered", caller.staff_id, now, answer)
    count = len(
        session.exec(
            select(EscalationEvent).where(
                EscalationEvent.escalation_id == esc_id, EscalationEvent.action == "answered"
            )
        ).all()
    )
    targets = (
        [session.get(Staff, esc.owner_id)]
        if esc.owner_id
        else recipients(session, esc.village_code, esc.level)
    )
    for staff in targets:
        if staff is not None:
            notify(
                session,
                staff,
                f"esc:{esc.id}:answer:{count}:{staff.id}",
                N_("escalation.answer"),
                now,
                id=esc.id,
                name=caller.name or "",
                answer=answer,
            )
    return esc


def move_overdue(*, session: Session, now: datetime, policy: EscalationPolicy) -> int:
    """Send township escalations nobody acknowledged in time on to the county."""
    statement = select(Escalation).where(
        Escalation.state == OPEN, Escalation.level == TOWNSHIP, col(Escalation.due_by) <= now
    )
    moved = 0
    for esc in session.exec(statement).all():
        go_to_county(session, esc, now, policy, N_("escalation.not_acknowledged"))
        moved += 1
    return moved


def go_to_county(
    session: Session, esc: Escalation, now: datetime, policy: EscalationPolicy, reason_key: str
) -> None:
    """Move an escalation to the county admins, saying why."""
    esc.level, esc.due_by = COUNTY, now + policy.sla(esc.urgent)
    _event(session, esc, "to_county", None, now, reason_key)
    child = session.get(Child, esc.child_id)
    if child is not None:
        _send_to_level(session, esc, child, Report(note=esc.reason), now, reason_key=reason_key)


def on_undeliverable(
    session: Session, row: OutboxMessage, now: datetime, policy: EscalationPolicy
) -> None:
    """When nobody at a level can receive an escalation (all blocked the bot), go up at once."""
    _, esc_id, level = row.event.split(":")
    esc = session.get(Escalation, int(esc_id))
    if esc is None or esc.state != OPEN or esc.level != TOWNSHIP or level != TOWNSHIP:
        return
    siblings = session.exec(select(OutboxMessage).where(OutboxMessage.event == row.event)).all()
    if all(s.state in (UNDELIVERABLE, FAILED) for s in siblings):
        go_to_county(session, esc, now, policy, N_("escalation.unreachable"))


def open_escalations(*, session: Session, caller: Caller) -> Sequence[Escalation]:
    """Return the open escalations in the caller's area, oldest first."""
    statement = (
        select(Escalation)
        .where(
            col(Escalation.village_code).startswith(caller.area_prefix),
            Escalation.state != RESOLVED,
        )
        .order_by(col(Escalation.raised_at))
    )
    return session.exec(statement).all()


@dataclass(frozen=True)
class EscalationItem:
    id: int
    values: dict[str, Any]


def escalation_list(*, session: Session, caller: Caller) -> list[EscalationItem]:
    """Describe the open escalations in the caller's area for the list, oldest first."""
    items = []
    for esc in open_escalations(session=session, caller=caller):
        child = session.get(Child, esc.child_id)
        village = queries.get_org(session=session, code=esc.village_code)
        owner = session.get(Staff, esc.owner_id) if esc.owner_id else None
        items.append(
            EscalationItem(
                esc.id or 0,
                {
                    "id": esc.id,
                    "child": first_name(child.name) if child else "",
                    "village": village.name if village else esc.village_code,
                    "raised": esc.raised_at.isoformat(timespec="minutes"),
                    "state": esc.state,
                    "urgent": "🚨" if esc.urgent else "",
                    "owner": owner.name if owner and owner.name else "-",
                },
            )
        )
    return items
