"""Queries over visit reports and the children a director reports on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, delete, func, select

from storage.child_models import Child
from storage.visit_models import Escalation, Visit, VisitProblem


def visit_by_id(*, session: Session, visit_id: int) -> Visit | None:
    return session.get(Visit, visit_id)


def children_to_visit(
    *, session: Session, area_prefix: str, search: str, limit: int
) -> Sequence[Child]:
    """Return the area's open files, the most overdue first, optionally by part of a name."""
    statement = select(Child).where(
        col(Child.village_code).startswith(area_prefix), col(Child.closed).is_(False)
    )
    if search:
        statement = statement.where(col(Child.name).contains(search))
    statement = statement.order_by(
        col(Child.next_visit_due).asc().nulls_first(),
        col(Child.next_contact_due).asc().nulls_first(),
        col(Child.name),
    ).limit(limit)
    return session.exec(statement).all()


def problem_notes(*, session: Session, visit_id: int) -> dict[str, str]:
    """Return a visit's problem categories with their notes, as stored."""
    statement = select(VisitProblem.category, VisitProblem.note).where(
        VisitProblem.visit_id == visit_id
    )
    return dict(session.exec(statement).all())


def delete_problems(*, session: Session, visit_id: int) -> None:
    """Remove a visit's problem rows before they are written anew."""
    session.exec(delete(VisitProblem).where(col(VisitProblem.visit_id) == visit_id))


def latest_visit_date(*, session: Session, child_id: int, kind: str) -> date | None:
    """Return the day of the child's latest visit of a kind (home visit or contact); a home
    visit where nobody was home is an attempt and does not count."""
    statement = select(func.max(Visit.visited_on)).where(
        Visit.child_id == child_id, Visit.kind == kind, Visit.outcome != "nobody_home"
    )
    return session.exec(statement).one()


def link_escalation_to_visit(*, session: Session, escalation_id: int, visit_id: int) -> None:
    """Point an escalation raised while the visit was being written at the saved visit."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is not None:
        escalation.visit_id = visit_id


def escalations_of_visit(*, session: Session, visit_id: int) -> Sequence[Escalation]:
    """The escalations a visit report raised, oldest first."""
    statement = (
        select(Escalation).where(Escalation.visit_id == visit_id).order_by(col(Escalation.id))
    )
    return session.exec(statement).all()
