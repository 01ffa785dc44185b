"""Child files: intake answers to structured rows and back, scoped reads, audited edits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from bot.audit import PERSONAL_COLUMNS, Actor, record_audit, record_changes
from bot.care.cadence import next_due
from bot.errors import UserError
from bot.forms.binding import answers_from, bound_fields, column_values
from bot.forms.intake import INTAKE
from bot.forms.rules import identity_of
from bot.i18n import N_
from bot.people.access import Caller
from bot.people.roles import Action, may
from storage import care_log_queries, child_queries, escalation_queries, queries
from storage.care_log_models import HelpGiven, WorkLogEntry
from storage.child_models import Assistance, Caregiver, Child, Guardian
from storage.visit_models import Visit

# Which answer is stored in which column is declared on the intake's fields (their `bind`).
CHILD_FIELDS = bound_fields(INTAKE, "child")
PARENT_FIELDS = {who: bound_fields(INTAKE, "guardian", section=who) for who in ("father", "mother")}
# An orphan's or a child without de facto carers' guardian: a guardian row of its own.
GUARDIAN_FIELDS = bound_fields(INTAKE, "guardian", section="guardian")
RELATED_FIELDS = {**PARENT_FIELDS, "guardian": GUARDIAN_FIELDS}
# Asked instead of what the ID number says, when there is none.
NO_ID_ANSWERS = ("no_id_reason", "birth_date", "sex")
CAREGIVER_FIELDS = bound_fields(INTAKE, "caregiver")
AID_KINDS = {"child": ("assistance", "aid"), "family": ("family_subsidies", "subsidy")}
# Answers stored in personal columns, by how the audit log masks them (ID, phone, address).
PERSONAL_ANSWERS = {
    f.name: PERSONAL_COLUMNS[f.bind]
    for f in (*CHILD_FIELDS, *CAREGIVER_FIELDS, *(f for fs in RELATED_FIELDS.values() for f in fs))
    if f.bind in PERSONAL_COLUMNS
}


@dataclass(frozen=True)
class VisitSummary:
    """One line of the card's visit history."""

    id: int
    visited_on: date
    kind: str
    problems: tuple[str, ...]
    flagged: bool
    urgent: bool
    author_id: int
    created_at: datetime
    outcome: str = "completed"


def recent_visits(*, session: Session, child_id: int, limit: int = 5) -> list[VisitSummary]:
    """Return the child's latest visits, newest first, with their problem categories."""
    summaries = []
    for visit in child_queries.visits_of(session=session, child_id=child_id, limit=limit):
        assert visit.id is not None
        problems = child_queries.problem_categories(session=session, visit_id=visit.id)
        summaries.append(
            VisitSummary(
                visit.id,
                visit.visited_on,
                visit.kind,
                tuple(problems),
                visit.flagged,
                bool(visit.urgent),
                visit.author_id,
                visit.created_at,
                visit.outcome,
            )
        )
    return summaries


@dataclass(frozen=True)
class ChildFile:
    """A child's whole file, as the card and the edit form need it."""

    child: Child
    village_name: str
    guardians: Sequence[Guardian]
    caregiver: Caregiver | None
    assistance: Sequence[Assistance]
    visits: Sequence[VisitSummary] = ()
    # Who else was informed of the child's urgent reports: (escalation id, kind, when).
    informed: Sequence[tuple[int, str, datetime]] = ()
    help: Sequence[HelpGiven] = ()  # the latest help given, newest first
    work_log: Sequence[WorkLogEntry] = ()  # the latest work-log entries naming the child


def refresh_due_dates(child: Child, today: date) -> None:
    """Store the next contact and visit dates the sweep reads, after anything that moves them.

    A child filed mid-period owes the current period; a tier change takes effect for it. A
    closed file owes nothing (bot.lifecycle), whatever is recorded on it.
    """
    if child.closed:
        child.next_contact_due = child.next_visit_due = None
        return
    child.next_contact_due, child.next_visit_due = next_due(
        tier=child.risk_tier,
        filed_on=child.filed_at.date(),
        last_contact_on=child.last_contact_on,
        last_visit_on=child.last_visit_on,
        today=today,
    )


def _child_values(answers: dict[str, Any]) -> dict[str, Any]:
    values = column_values(CHILD_FIELDS, answers)
    # Sex and birth date are read from the ID number; asked only when there is none.
    if answers.get("child_id"):
        identity = identity_of(answers["child_id"])
        values.update(sex=identity.sex, birth_date=identity.birth_date, no_id_reason=None)
    return values


def _guardian_row(child_id: int, who: str, answers: dict[str, Any]) -> Guardian:
    # Questions not asked (a deceased parent's health) keep the column's default.
    values = {k: v for k, v in column_values(RELATED_FIELDS[who], answers).items() if v is not None}
    return Guardian.model_validate({**values, "child_id": child_id, "relation": who})


def _guardian_rows(child_id: int, answers: dict[str, Any]) -> list[Guardian]:
    rows = [_guardian_row(child_id, who, answers) for who in PARENT_FIELDS]
    if answers.get("guardian_name"):
        rows.append(_guardian_row(child_id, "guardian", answers))
    return rows


def _caregiver_row(child_id: int, answers: dict[str, Any]) -> Caregiver | None:
    if answers.get("category") != "left_behind" or not answers.get("caregiver_relation"):
        return None
    values = column_values(CAREGIVER_FIELDS, answers)
    return Caregiver.model_validate({**values, "child_id": child_id})


def _assistance_rows(child_id: int, answers: dict[str, Any]) -> list[Assistance]:
    rows = []
    for scope, (source, prefix) in AID_KINDS.items():
        for kind in answers.get(source) or []:
            if kind == "none":
                continue
            amount = answers.get(f"{prefix}_{kind}")
            rows.append(
                Assistance(
                    child_id=child_id,
                    scope=scope,
                    kind=kind,
                    yuan_per_month=Decimal(amount) if amount else None,
                )
            )
    return rows


def _write_related(session: Session, child_id: int, answers: dict[str, Any]) -> None:
    session.add_all(_guardian_rows(child_id, answers))
    caregiver = _caregiver_row(child_id, answers)
    if caregiver is not None:
        session.add(caregiver)
    session.add_all(_assistance_rows(child_id, answers))


def create_child(
    *, session: Session, caller: Caller, answers: dict[str, Any], now: datetime, today: date
) -> Child:
    """Store a new file from intake answers, with an audit row, in the caller's village."""
    if not may(caller.role, Action.KEEP_FILES):
        raise UserError(N_("children.error.not_director"))
    number = answers.get("child_id")
    if number and child_queries.child_by_id_number(session=session, id_number=number):
        raise UserError(N_("duplicate.id_saved"))
    child = Child(
        **_child_values(answers),
        village_code=caller.org_code,
        filed_by=caller.staff_id,
        filed_at=now,
        updated_at=now,
    )
    if answers.get("visited_today"):
        child.last_visit_on = today
    refresh_due_dates(child, today)
    session.add(child)
    session.flush()
    assert child.id is not None
    _write_related(session, child.id, answers)
    record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="child.create",
        table="child",
        record_id=child.id,
        new={"village": caller.org_code, "no_id": not number},
        at=now,
    )
    if answers.get("visited_today"):
        visit = intake_visit(child, caller.staff_id, today, now)
        session.add(visit)
        session.flush()
        record_audit(
            session=session,
            actor=Actor.staff(caller.staff_id),
            action="visit.create",
            table="visit",
            record_id=visit.id,
            new={"child": child.id, "kind": visit.kind, "at_intake": True},
            at=now,
        )
    return child


def intake_visit(child: Child, author_id: int, today: date, now: datetime) -> Visit:
    """The home visit made the day the file was opened, as the period's visit."""
    return Visit(
        child_id=child.id or 0,
        author_id=author_id,
        kind="home_visit",
        visited_on=today,
        met="child",
        seen_in_person=True,
        tier_before=child.risk_tier,
        tier_after=child.risk_tier,
        created_at=now,
        updated_at=now,
    )


def answers_of(file: ChildFile) -> dict[str, Any]:
    """Turn a stored file back into form answers, for editing through the same engine."""
    answers = answers_from(CHILD_FIELDS, file.child)
    if file.child.id_number:
        answers["child_id_confirm"] = True
        for name in NO_ID_ANSWERS:
            answers.pop(name, None)
    for guardian in file.guardians:
        answers.update(answers_from(RELATED_FIELDS[guardian.relation], guardian))
    if file.caregiver is not None:
        answers.update(answers_from(CAREGIVER_FIELDS, file.caregiver))
    for scope, (source, prefix) in AID_KINDS.items():
        items = [a for a in file.assistance if a.scope == scope]
        answers[source] = [a.kind for a in items] or ["none"]
        for item in items:
            if item.yuan_per_month is not None:
                answers[f"{prefix}_{item.kind}"] = str(item.yuan_per_month)
    return answers


def load_file(*, session: Session, caller: Caller, child_id: int) -> ChildFile | None:
    """Return a child's file if it lies in the caller's area; otherwise audit and return None."""
    child = child_queries.child_by_id(session=session, child_id=child_id)
    if child is None or not caller.sees(child.village_code):
        record_audit(
            session=session,
            actor=Actor.staff(caller.staff_id),
            action="child.denied",
            table="child",
            record_id=child_id,
        )
        return None
    village = queries.get_org(session=session, code=child.village_code)
    return ChildFile(
        child=child,
        village_name=village.name if village else child.village_code,
        guardians=child_queries.guardians_of(session=session, child_id=child_id),
        caregiver=child_queries.caregiver_of(session=session, child_id=child_id),
        assistance=child_queries.assistance_of(session=session, child_id=child_id),
        visits=recent_visits(session=session, child_id=child_id),
        informed=[
            (row.escalation_id, row.kind, row.informed_at)
            for row in escalation_queries.informed_in_area(
                session=session, area_prefix=caller.area_prefix, child_id=child_id
            )
        ],
        help=care_log_queries.help_of(session=session, child_id=child_id),
        work_log=care_log_queries.work_log_of(session=session, child_id=child_id),
    )


def request_transfer(*, session: Session, caller: Caller, id_number: str, now: datetime) -> None:
    """Ask the village keeping a child's file to hand it over (bot.lifecycle.transfers)."""
    from bot.lifecycle.transfers import ask_for_file  # the lifecycle builds on this module

    other = child_queries.child_by_id_number(session=session, id_number=id_number)
    if other is None:
        return
    ask_for_file(session=session, caller=caller, child=other, now=now)


def open_card(
    *, session: Session, caller: Caller, child_id: int, now: datetime
) -> ChildFile | None:
    """Return a child's file for its card, recording who read it."""
    file = load_file(session=session, caller=caller, child_id=child_id)
    if file is not None:
        record_audit(
            session=session,
            actor=Actor.staff(caller.staff_id),
            action="child.read",
            table="child",
            record_id=child_id,
            at=now,
        )
    return file


def update_child(
    *,
    session: Session,
    caller: Caller,
    child_id: int,
    answers: dict[str, Any],
    now: datetime,
    today: date,
) -> Child:
    """Apply edited answers to a file, one audit row per changed answer with old and new."""
    if not may(caller.role, Action.KEEP_FILES):
        raise UserError(N_("children.error.read_only"))
    file = load_file(session=session, caller=caller, child_id=child_id)
    if file is None:
        raise UserError(N_("children.error.not_found"))
    before = answers_of(file)
    after = {k: v for k, v in answers.items() if v is not None}
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if not changed:
        return file.child
    number = answers.get("child_id")
    other = child_queries.child_by_id_number(session=session, id_number=number) if number else None
    if other is not None and other.id != child_id:
        raise UserError(N_("duplicate.id_saved"))
    for column, value in _child_values(answers).items():
        setattr(file.child, column, value)
    file.child.updated_at = now
    refresh_due_dates(file.child, today)
    child_queries.delete_related(session=session, child_id=child_id)
    _write_related(session, child_id, answers)
    record_changes(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="child.edit",
        table="child",
        record_id=child_id,
        before=before,
        after=after,
        names=changed,
        at=now,
        personal=PERSONAL_ANSWERS,
    )
    return file.child


PAGE_SIZE = 8


@dataclass(frozen=True)
class ChildPage:
    children: Sequence[Child]
    page: int
    pages: int


def list_children(*, session: Session, caller: Caller, page: int) -> ChildPage:
    """Return one page of the open files in the caller's area."""
    page = max(page, 0)
    children, total = child_queries.children_in_area(
        session=session, area_prefix=caller.area_prefix, offset=page * PAGE_SIZE, limit=PAGE_SIZE
    )
    return ChildPage(children, page, max(1, -(-total // PAGE_SIZE)))


def can_edit(caller: Caller, file: ChildFile) -> bool:
    """Directors edit the open files of their own village; others only read."""
    own = may(caller.role, Action.KEEP_FILES) and file.child.village_code == caller.org_code
    return own and not file.child.closed


def new_file(
    answers: dict[str, Any], *, village_code: str, filed_by: int, now: datetime, today: date
) -> Child:
    """A new file's child row from intake answers (not yet added), as intake would store it."""
    child = Child(
        **_child_values(answers),
        village_code=village_code,
        filed_by=filed_by,
        filed_at=now,
        updated_at=now,
    )
    refresh_due_dates(child, today)
    return child


def related_rows(child_id: int, answers: dict[str, Any]) -> list[Guardian | Caregiver | Assistance]:
    """The parent, caregiver and assistance rows of a file, as intake would store them."""
    caregiver = _caregiver_row(child_id, answers)
    return [
        *_guardian_rows(child_id, answers),
        *([caregiver] if caregiver is not None else []),
        *_assistance_rows(child_id, answers),
    ]
