"""Urgent reports at any time (plan section 6): for a child on file, or one not yet on file.

A child not on file gets a placeholder file, marked to be completed, so that the report has a
child to point at; the director is reminded daily until the intake is finished for it, which
fills in the same file and clears the mark.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.care.children import refresh_due_dates, update_child
from bot.care.escalation.routing import holders
from bot.care.escalations import EscalationPolicy, Report, raise_escalation
from bot.care.visits import reaches
from bot.errors import AccessDenied, UserError
from bot.forms.visit import URGENT
from bot.i18n import N_
from bot.notify.notification import Notification
from bot.notify.outbox import enqueue
from bot.people.access import Caller
from bot.people.roles import Action
from storage import child_queries, escalation_queries, queries, visit_queries
from storage.child_models import Child
from storage.models import OrgLevel, OrgUnit
from storage.visit_models import Escalation, EscalationEvent

PENDING = "pending"  # the category of a file still to be completed
PENDING_LABEL = N_("choice.category.pending")
UNKNOWN_NAME = "?"
# A child in danger is visited at the highest tier's cadence until the intake says otherwise.
PLACEHOLDER_TIER = "high"
NOT_YOUR_VILLAGE = N_("urgent.error.not_your_village")
NOT_A_PLACEHOLDER = N_("urgent.error.not_a_placeholder")


def village_for_report(*, session: Session, caller: Caller, code: str) -> OrgUnit:
    """Return the village if the caller may send an urgent report from it; refuse otherwise."""
    village = queries.get_org(session=session, code=code)
    if (
        village is None
        or village.level != OrgLevel.VILLAGE.value
        or not reaches(caller, Action.REPORT_URGENT, village.code)
    ):
        raise AccessDenied(NOT_YOUR_VILLAGE, table="org_unit", record_id=code)
    return village


def villages_for_report(*, session: Session, caller: Caller) -> list[OrgUnit]:
    """The villages the caller may report from (a director's own; a supervisor's township's)."""
    return [
        org
        for org in queries.list_orgs(session=session, prefix=caller.area_prefix)
        if org.level == OrgLevel.VILLAGE.value and reaches(caller, Action.REPORT_URGENT, org.code)
    ]


@dataclass(frozen=True)
class ChildChoice:
    id: int
    name: str
    placeholder: bool


def children_for_report(
    *, session: Session, caller: Caller, village_code: str, limit: int = 12
) -> list[ChildChoice]:
    """The open files of a village the caller may report from, the most overdue first."""
    village = village_for_report(session=session, caller=caller, code=village_code)
    found = visit_queries.children_to_visit(
        session=session, area_prefix=village.code, search="", limit=limit
    )
    return [ChildChoice(c.id or 0, c.name, c.placeholder) for c in found]


def situations_of(answers: dict[str, Any]) -> list[str]:
    return [s for s in URGENT if s in (answers.get("urgent") or [])]


def approximate_birth_date(today: date, age: int | None) -> date:
    """An approximate birth date for an approximate age (today, when the age is not known)."""
    if age is None:
        return today
    day = 28 if (today.month, today.day) == (2, 29) else today.day
    return today.replace(year=today.year - age, day=day)


def create_placeholder(
    *, session: Session, caller: Caller, village_code: str, answers: dict[str, Any], now: datetime
) -> Child:
    """Open a file marked to be completed for a child an urgent report is about."""
    village = village_for_report(session=session, caller=caller, code=village_code)
    age = answers.get("age")
    child = Child(
        name=(answers.get("child_name") or "").strip() or UNKNOWN_NAME,
        id_number="",  # not known yet: no blind index until it is
        sex="",
        birth_date=approximate_birth_date(now.date(), int(age) if age is not None else None),
        ethnicity="",
        home_address=answers.get("place") or "",
        hukou="",
        category=PENDING,
        single_parent="",
        schooling="",
        guardianship="",
        health="",
        risk_tier=PLACEHOLDER_TIER,
        notes=answers.get("urgent_note") or None,
        village_code=village.code,
        filed_by=caller.staff_id,
        filed_at=now,
        updated_at=now,
        placeholder=True,
    )
    # Due dates: a placeholder owes this period's visit like any file filed today.
    refresh_due_dates(child, now.date())
    session.add(child)
    session.flush()
    record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="child.placeholder",
        table="child",
        record_id=child.id,
        new={"village": village.code, "age": age},
        at=now,
    )
    return child


def report_unfiled(
    *,
    session: Session,
    caller: Caller,
    village_code: str,
    answers: dict[str, Any],
    draft_id: int,
    now: datetime,
    policy: EscalationPolicy,
) -> tuple[Child, Escalation]:
    """Open the placeholder file and raise the urgent escalation for it, in one transaction."""
    situations = situations_of(answers)
    if not situations:
        raise UserError(N_("error.choice.pick_one"))
    child = create_placeholder(
        session=session, caller=caller, village_code=village_code, answers=answers, now=now
    )
    note = answers.get("urgent_note") or ""
    place = answers.get("place") or ""
    report = Report(
        situations=[f"choice.urgent.{s}" for s in situations],
        note=f"{note}\n📍 {place}" if place else note,
    )
    esc = raise_escalation(
        session=session,
        child=child,
        raised_by=caller.staff_id,
        urgent=True,
        reason="urgent:" + ",".join(situations),
        report=report,
        now=now,
        policy=policy,
        draft_id=draft_id,
    )
    return child, esc


def attach_media(
    *, session: Session, caller: Caller, esc_id: int, answers: dict[str, Any], now: datetime
) -> None:
    """Keep the photo and location sent after the report went out with the report's history."""
    media = {k: answers[k] for k in ("photo", "location") if answers.get(k)}
    if not media or not esc_id:
        return
    escalation_queries.add_event(
        session=session,
        event=EscalationEvent(
            escalation_id=esc_id,
            action="media",
            actor_id=caller.staff_id,
            note=json.dumps(media),
            at=now,
        ),
    )
    _forward_media(session, esc_id, media, now)


def _forward_media(session: Session, esc_id: int, media: dict[str, Any], now: datetime) -> None:
    """Send the photo and location on to whoever holds the report now: the responder needs
    them as much as the words."""
    esc = escalation_queries.escalation_by_id(session=session, esc_id=esc_id)
    child = escalation_queries.child_of(session=session, escalation=esc) if esc else None
    if esc is None or child is None:
        return
    photo = media.get("photo") or {}
    place = media.get("location") or {}
    notice = Notification(
        "escalation.media",
        {
            "id": esc_id,
            "name": child.name,
            "photo": photo.get("file_id", "") if isinstance(photo, dict) else "",
            "lat": place.get("lat") if isinstance(place, dict) else None,
            "lon": place.get("lon") if isinstance(place, dict) else None,
        },
    )
    for person in holders(session, esc):
        enqueue(
            session=session,
            key=f"esc:{esc_id}:media:{person.id}",
            recipient=person,
            message=notice,
            now=now,
        )


def placeholder_for_intake(*, session: Session, caller: Caller, child_id: int) -> Child:
    """Return the placeholder file if the caller may complete it (a director of its village)."""
    child = child_queries.child_by_id(session=session, child_id=child_id)
    if child is None or not reaches(caller, Action.KEEP_FILES, child.village_code):
        raise AccessDenied(N_("children.error.not_found"), table="child", record_id=child_id)
    if not child.placeholder:
        raise UserError(NOT_A_PLACEHOLDER, name=child.name)
    return child


def intake_answers(*, session: Session, caller: Caller, child_id: int) -> dict[str, Any]:
    """The intake's starting answers for a placeholder: what the urgent report said."""
    child = placeholder_for_intake(session=session, caller=caller, child_id=child_id)
    answers: dict[str, Any] = {"risk_tier": child.risk_tier}
    if child.name != UNKNOWN_NAME:
        answers["child_name"] = child.name
    # Where the child was found need not be the home: the address is asked, not assumed.
    return answers


def complete_placeholder(
    *,
    session: Session,
    caller: Caller,
    child_id: int,
    answers: dict[str, Any],
    now: datetime,
    today: date,
) -> Child:
    """Fill in a placeholder file from a finished intake and clear its mark: the same file."""
    child = placeholder_for_intake(session=session, caller=caller, child_id=child_id)
    if child_queries.child_by_id_number(session=session, id_number=answers["child_id"]):
        raise UserError(N_("duplicate.id_saved"))
    child = update_child(
        session=session, caller=caller, child_id=child_id, answers=answers, now=now, today=today
    )
    child.placeholder = False
    record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="child.completed",
        table="child",
        record_id=child_id,
        at=now,
    )
    return child


def placeholders_of(*, session: Session, caller: Caller) -> Sequence[Child]:
    """The caller's files still to be completed (a director's village's)."""
    found = child_queries.placeholders(session=session, area_prefix=caller.area_prefix)
    return [c for c in found if reaches(caller, Action.KEEP_FILES, c.village_code)]
