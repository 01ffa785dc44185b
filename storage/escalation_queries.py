"""Queries over escalations and their events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session, col, func, select

from storage.child_models import Child
from storage.models import OrgUnit, Staff
from storage.visit_models import Escalation, EscalationEvent


class ListedEscalation(NamedTuple):
    """An open escalation as the list shows it."""

    escalation: Escalation
    child_name: str | None
    village_name: str | None
    owner_name: str | None


def escalation_by_id(*, session: Session, esc_id: int) -> Escalation | None:
    return session.get(Escalation, esc_id)


def add_escalation(*, session: Session, escalation: Escalation) -> Escalation:
    """Insert an escalation and give it its id."""
    session.add(escalation)
    session.flush()
    return escalation


def add_event(*, session: Session, event: EscalationEvent) -> None:
    session.add(event)


def count_events(*, session: Session, esc_id: int, action: str) -> int:
    """How many events of one action an escalation has."""
    statement = (
        select(func.count())
        .select_from(EscalationEvent)
        .where(EscalationEvent.escalation_id == esc_id, EscalationEvent.action == action)
    )
    return int(session.exec(statement).one())


def overdue_at_level(
    *, session: Session, level: str, state: str, now: datetime
) -> Sequence[Escalation]:
    """Escalations in a state at a level whose time to be acknowledged has run out, locked for
    this transaction: of several processes checking at once, each row goes to one of them."""
    statement = (
        select(Escalation)
        .where(Escalation.state == state, Escalation.level == level, col(Escalation.due_by) <= now)
        .order_by(col(Escalation.id))
    )
    if session.get_bind().dialect.name == "postgresql":
        # Rows another process holds are its to move; once it commits they are at a new level
        # and no longer match, which PostgreSQL re-checks on the row's newest version.
        statement = statement.with_for_update(skip_locked=True)
    # On SQLite the write lock taken at BEGIN serialises the checks: the second sees the first's.
    return session.exec(statement).all()


def unresolved_in_area(
    *, session: Session, area_prefix: str, resolved: str
) -> list[ListedEscalation]:
    """Escalations of an area not yet resolved, oldest first, with the names the list shows."""
    statement = (
        select(Escalation, Child.name, OrgUnit.name, Staff.name)
        .join(Child, col(Child.id) == col(Escalation.child_id), isouter=True)
        .join(OrgUnit, col(OrgUnit.code) == col(Escalation.village_code), isouter=True)
        .join(Staff, col(Staff.id) == col(Escalation.owner_id), isouter=True)
        .where(
            col(Escalation.village_code).startswith(area_prefix),
            Escalation.state != resolved,
        )
        .order_by(col(Escalation.raised_at), col(Escalation.id))
    )
    return [ListedEscalation(*row) for row in session.exec(statement).all()]


def child_of(*, session: Session, escalation: Escalation) -> Child | None:
    return session.get(Child, escalation.child_id)


def staff_by_id(*, session: Session, staff_id: int | None) -> Staff | None:
    return session.get(Staff, staff_id) if staff_id is not None else None
