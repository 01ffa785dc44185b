"""Visit reports: what saving one changes in the child's file, and the urgent report."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.audit import Actor, masked, record_audit, record_changes
from bot.care.children import refresh_due_dates
from bot.care.escalations import EscalationPolicy, Report, raise_escalation
from bot.care.visit_edits import rerun_reports
from bot.errors import AccessDenied, UserError
from bot.forms.binding import answers_from, bound_fields, column_values
from bot.forms.engine import relevant_answers
from bot.forms.parsers import parse_text
from bot.forms.visit import PROBLEMS, URGENT, VISIT, VISIT_EDIT, outcome_of
from bot.i18n import N_
from bot.people.access import Caller
from bot.people.roles import Action, Scope, scope_of
from storage import child_queries, visit_queries
from storage.child_models import Caregiver, Child
from storage.visit_models import RiskTierChange, Visit, VisitProblem

EDITABLE_DAYS = 7
# Which answer is stored in which column is declared on the visit form's fields (their `bind`).
VISIT_COLUMNS = bound_fields(VISIT, "visit")
EDITABLE_COLUMNS = bound_fields(VISIT_EDIT, "visit")


def reaches(caller: Caller, action: Action, village_code: str) -> bool:
    """Tell whether the permission table lets the caller take an action for a village."""
    scope = scope_of(caller.role, action)
    if scope == Scope.OWN_UNIT:
        return village_code == caller.org_code
    return scope == Scope.AREA and caller.sees(village_code)


def child_for_visit(
    *, session: Session, caller: Caller, child_id: int, action: Action = Action.REPORT_VISITS
) -> Child:
    """Return the child if the caller may report on it (a director of its village, a
    supervisor of its township); refuse otherwise."""
    child = child_queries.child_by_id(session=session, child_id=child_id)
    if child is None or not reaches(caller, action, child.village_code):
        raise AccessDenied(N_("children.error.not_found"), table="child", record_id=child_id)
    if child.closed:  # an old reminder's button: a closed file takes no visits until reopened
        raise UserError(N_("lifecycle.error.closed_visit"))
    return child


def visit_context(child: Child, today: date) -> dict[str, Any]:
    """The answers a visit report starts with: what the form needs to know of the child."""
    return {
        "_category": child.category,
        "_risk_tier": child.risk_tier,
        "_today": today.isoformat(),
        "_child": child.id,
    }


# A name search is at most a child's name long (the name question's limit): no longer one can
# match, and a paragraph typed here was not meant as a search.
SEARCH_MAX_LENGTH = 50


def children_to_visit(
    *, session: Session, caller: Caller, search: str = "", limit: int = 8
) -> Sequence[Child]:
    """Return the caller's children, the most overdue first, optionally by part of a name.

    A search is checked as a typed answer is: hidden characters or more than a name's length
    are refused with InvalidAnswer, before anything is looked up.
    """
    if search.strip():
        search = parse_text(search, max_length=SEARCH_MAX_LENGTH)
    return visit_queries.children_to_visit(
        session=session, area_prefix=caller.area_prefix, search=search.strip(), limit=limit
    )


def urgent_report(answers: dict[str, Any]) -> Report:
    situations = [f"choice.urgent.{s}" for s in answers.get("urgent") or [] if s in URGENT]
    return Report(situations=situations, note=answers.get("urgent_note") or "")


def raise_urgent(
    *,
    session: Session,
    caller: Caller,
    answers: dict[str, Any],
    draft_id: int,
    now: datetime,
    policy: EscalationPolicy,
) -> int:
    """Raise the urgent escalation as soon as a mandatory-report situation is answered."""
    child = child_for_visit(session=session, caller=caller, child_id=int(answers["_child"]))
    report = urgent_report(answers)
    esc = raise_escalation(
        session=session,
        child=child,
        raised_by=caller.staff_id,
        urgent=True,
        reason="urgent:" + ",".join(answers.get("urgent") or []),
        report=report,
        now=now,
        policy=policy,
        draft_id=draft_id,
    )
    assert esc.id is not None
    return esc.id


MEDIA_ANSWERS = ("media", "call_media")


def media_of(answers: dict[str, Any]) -> str:
    """The photos, voice note and location sent in the visit's media step, as stored JSON."""
    media: dict[str, Any] = {}
    for name in MEDIA_ANSWERS:
        media.update(answers.get(name) or {})
    return json.dumps(media)


def _problems(answers: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (p, answers.get(f"problem_{p}") or "")
        for p in answers.get("problems") or []
        if p in PROBLEMS
    ]


def _update_caregiver(
    session: Session, child: Child, answers: dict[str, Any], actor: Actor, now: datetime
) -> None:
    caregiver = child_queries.caregiver_of(session=session, child_id=child.id or 0)
    old = None
    if caregiver is None:
        caregiver = Caregiver(child_id=child.id or 0, relation="none", reason="both_away")
        session.add(caregiver)
    else:
        old = {"relation": caregiver.relation, "name": caregiver.name, "phone": caregiver.phone}
        old = masked(old, {"phone": "phone"})  # the audit log never holds a full number
    caregiver.relation = answers["caregiver_relation"]
    caregiver.name = answers.get("caregiver_name")
    caregiver.phone = answers.get("caregiver_phone")
    record_audit(
        session=session,
        actor=actor,
        action="child.caregiver_changed",
        table="child",
        record_id=child.id,
        old=old,
        new=masked(
            {"relation": caregiver.relation, "name": caregiver.name, "phone": caregiver.phone},
            {"phone": "phone"},
        ),
        at=now,
    )


def save_visit(
    *,
    session: Session,
    caller: Caller,
    answers: dict[str, Any],
    now: datetime,
    today: date,
    policy: EscalationPolicy,
) -> Visit:
    """Store the report and bring the child's file up to date, escalating if flagged."""
    child = child_for_visit(session=session, caller=caller, child_id=int(answers["_child"]))
    assert child.id is not None
    actor = Actor.staff(caller.staff_id)
    visited_on = date.fromisoformat(answers["visited_on"])
    new_tier = answers.get("risk_change")
    tier_after = child.risk_tier if new_tier in (None, "keep") else new_tier
    outcome = outcome_of(answers)
    visit = Visit.model_validate(
        {
            **column_values(VISIT_COLUMNS, answers),
            "child_id": child.id,
            "author_id": caller.staff_id,
            "tier_before": child.risk_tier,
            "tier_after": tier_after,
            "media": media_of(answers),
            "outcome": outcome,
            "created_at": now,
            "updated_at": now,
        }
    )
    session.add(visit)
    session.flush()
    assert visit.id is not None
    session.add_all(
        VisitProblem(visit_id=visit.id, category=c, note=n) for c, n in _problems(answers)
    )
    if tier_after != child.risk_tier:
        session.add(
            RiskTierChange(
                child_id=child.id,
                visit_id=visit.id,
                tier_before=child.risk_tier,
                tier_after=tier_after,
                reason=answers.get("risk_reason"),
                changed_by=caller.staff_id,
                changed_at=now,
            )
        )
        record_audit(
            session=session,
            actor=actor,
            action="child.risk_tier",
            table="child",
            record_id=child.id,
            old={"risk_tier": child.risk_tier},
            new={"risk_tier": tier_after},
            at=now,
        )
        child.risk_tier = tier_after
    if "caregiver" in (answers.get("changes") or ()):
        _update_caregiver(session, child, answers, actor, now)
    # Nobody home is an attempt: recorded and shown, but the period's visit is still owed.
    if outcome == "nobody_home":
        child.updated_at = now
    elif answers["kind"] == "home_visit":
        child.last_visit_on = max(filter(None, (child.last_visit_on, visited_on)))
    else:
        child.last_contact_on = max(filter(None, (child.last_contact_on, visited_on)))
    refresh_due_dates(child, today)
    child.updated_at = now
    record_audit(
        session=session,
        actor=actor,
        action="visit.create",
        table="visit",
        record_id=visit.id,
        new={"child": child.id, "kind": visit.kind, "outcome": outcome},
        at=now,
    )
    if visit.flagged:
        report = Report(
            problems=[(f"choice.problem.{c}", n) for c, n in _problems(answers)],
            measures=answers.get("measures") or "",
            note=answers.get("flag_reason") or "",
        )
        raise_escalation(
            session=session,
            child=child,
            raised_by=caller.staff_id,
            urgent=False,
            reason=answers.get("flag_reason") or "",
            report=report,
            now=now,
            policy=policy,
            visit_id=visit.id,
        )
    return visit


def visit_answers(*, session: Session, visit: Visit, today: date) -> dict[str, Any]:
    """Turn a stored visit back into the answers of the visit-edit form."""
    assert visit.id is not None
    notes = visit_queries.problem_notes(session=session, visit_id=visit.id)
    answers: dict[str, Any] = {
        "_today": today.isoformat(),
        **answers_from(EDITABLE_COLUMNS, visit),
        "old_date_confirm": True,
        "problems": list(notes) or ["none"],
        **{f"problem_{c}": n for c, n in notes.items()},
    }
    media = json.loads(visit.media or "{}")
    answers["media" if visit.kind == "home_visit" else "call_media"] = media or None
    return answers


def editable_visit(*, session: Session, caller: Caller, visit_id: int, now: datetime) -> Visit:
    """Return the visit if the caller wrote it less than a week ago (AccessDenied otherwise)."""
    visit = visit_queries.visit_by_id(session=session, visit_id=visit_id)
    if visit is None or visit.author_id != caller.staff_id:
        raise AccessDenied(N_("visit.error.not_editable"), table="visit", record_id=visit_id)
    if now - visit.created_at > timedelta(days=EDITABLE_DAYS):
        raise UserError(N_("visit.error.too_old"), days=EDITABLE_DAYS)
    return visit


def editable_visit_ids(caller: Caller, visits: Sequence[Any], now: datetime) -> list[int]:
    """Which of a card's visits the caller may still correct."""
    return [
        v.id
        for v in visits
        if v.author_id == caller.staff_id and now - v.created_at <= timedelta(days=EDITABLE_DAYS)
    ]


def _last_dates(session: Session, child: Child) -> None:
    for kind, column in (("home_visit", "last_visit_on"), ("contact", "last_contact_on")):
        latest = visit_queries.latest_visit_date(session=session, child_id=child.id or 0, kind=kind)
        setattr(child, column, latest)


def update_visit(
    *,
    session: Session,
    caller: Caller,
    visit_id: int,
    answers: dict[str, Any],
    now: datetime,
    today: date,
    policy: EscalationPolicy,
) -> Visit:
    """Correct a visit report, one audit row per changed answer, and the child's dates; raise
    what a situation or flag it adds calls for (bot.care.visit_edits)."""
    visit = editable_visit(session=session, caller=caller, visit_id=visit_id, now=now)
    before = relevant_answers(VISIT_EDIT, visit_answers(session=session, visit=visit, today=today))
    changed = sorted(
        k
        for k in before.keys() | answers.keys()
        if not k.startswith("_") and before.get(k) != answers.get(k)
    )
    for column, value in column_values(EDITABLE_COLUMNS, answers).items():
        setattr(visit, column, value)
    visit.media = media_of(answers)
    visit.outcome = outcome_of(answers)
    visit.updated_at = now
    visit_queries.delete_problems(session=session, visit_id=visit_id)
    session.add_all(
        VisitProblem(visit_id=visit_id, category=c, note=n) for c, n in _problems(answers)
    )
    session.flush()
    child = child_queries.child_by_id(session=session, child_id=visit.child_id)
    assert child is not None
    _last_dates(session, child)
    refresh_due_dates(child, today)
    record_changes(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="visit.edit",
        table="visit",
        record_id=visit_id,
        before=before,
        after=answers,
        names=changed,
        at=now,
    )
    rerun_reports(
        session=session,
        author_id=caller.staff_id,
        visit=visit,
        child=child,
        before=before,
        after=answers,
        now=now,
        policy=policy,
    )
    return visit
