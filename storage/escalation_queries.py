"""Queries over escalations and their events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, or_, select

from storage.child_models import Child
from storage.models import OrgUnit, Staff
from storage.outbox_models import UNDELIVERABLE, OutboxMessage
from storage.recipient_queries import Recipient
from storage.visit_models import Escalation, EscalationEvent, EscalationMeasure


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


class EventRow(NamedTuple):
    """An escalation event with the name, role and unit level of who did it (if anyone)."""

    event: EscalationEvent
    name: str | None
    role: str | None
    level: str | None


def events_of(*, session: Session, esc_id: int) -> list[EventRow]:
    """An escalation's events, oldest first, with their actors."""
    statement = (
        select(EscalationEvent, Staff.name, Staff.role, OrgUnit.level)
        .join(Staff, col(Staff.id) == col(EscalationEvent.actor_id), isouter=True)
        .join(OrgUnit, col(OrgUnit.code) == col(Staff.org_code), isouter=True)
        .where(EscalationEvent.escalation_id == esc_id)
        .order_by(col(EscalationEvent.at), col(EscalationEvent.id))
    )
    return [EventRow(*row) for row in session.exec(statement).all()]


def blocked_staff_ids(*, session: Session, staff_ids: Sequence[int]) -> set[int]:
    """Of these staff, those whose latest message could not be delivered (they blocked the
    bot, or lost access): a report skips them rather than waiting for its SLA."""
    if not staff_ids:
        return set()
    latest = (
        select(func.max(OutboxMessage.id))
        .where(col(OutboxMessage.recipient_staff_id).in_(staff_ids))
        .group_by(col(OutboxMessage.recipient_staff_id))
    )
    statement = select(OutboxMessage.recipient_staff_id).where(
        col(OutboxMessage.id).in_(latest), OutboxMessage.state == UNDELIVERABLE
    )
    return set(session.exec(statement).all())


def unit_name(*, session: Session, code: str) -> str | None:
    unit = session.get(OrgUnit, code)
    return unit.name if unit is not None else None


def unit_of(*, session: Session, code: str) -> OrgUnit | None:
    return session.get(OrgUnit, code)


def unrouted(*, session: Session, area_prefix: str = "", resolved: str) -> list[Escalation]:
    """Escalations nobody on the ladder could receive, oldest first, in an area."""
    statement = (
        select(Escalation)
        .where(
            col(Escalation.unrouted_at).is_not(None),
            Escalation.state != resolved,
            col(Escalation.village_code).startswith(area_prefix),
        )
        .order_by(col(Escalation.raised_at), col(Escalation.id))
    )
    return list(session.exec(statement).all())


def overdue_in(
    *, session: Session, levels: Sequence[str], state: str, now: datetime
) -> Sequence[Escalation]:
    """Escalations in a state at any of `levels` past `due_by`, locked as `overdue_at_level`."""
    statement = (
        select(Escalation)
        .where(
            Escalation.state == state,
            col(Escalation.level).in_(levels),
            col(Escalation.due_by) <= now,
        )
        .order_by(col(Escalation.id))
    )
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return session.exec(statement).all()


def owned_by(*, session: Session, staff_id: int, state: str) -> Sequence[Escalation]:
    statement = select(Escalation).where(Escalation.owner_id == staff_id, Escalation.state == state)
    return session.exec(statement).all()


def measures_of(*, session: Session, esc_id: int) -> list[EscalationMeasure]:
    """What else was informed of an escalation (police, ambulance, …), in the order recorded."""
    statement = (
        select(EscalationMeasure)
        .where(EscalationMeasure.escalation_id == esc_id)
        .order_by(col(EscalationMeasure.informed_at), col(EscalationMeasure.id))
    )
    return list(session.exec(statement).all())


def measure_of(*, session: Session, esc_id: int, kind: str) -> EscalationMeasure | None:
    statement = select(EscalationMeasure).where(
        EscalationMeasure.escalation_id == esc_id, EscalationMeasure.kind == kind
    )
    return session.exec(statement).first()


def add_measure(*, session: Session, measure: EscalationMeasure) -> None:
    session.add(measure)
    session.flush()


class InformedRow(NamedTuple):
    """One "who else was informed" record, for exports and the child's card."""

    escalation_id: int
    child_id: int
    village_code: str
    urgent: bool
    raised_at: datetime
    kind: str
    informed_at: datetime


def informed_in_area(
    *, session: Session, area_prefix: str, child_id: int | None = None
) -> list[InformedRow]:
    """What else was informed of each escalation in an area (or of one child), oldest first."""
    statement = (
        sa_select(
            col(Escalation.id),
            col(Escalation.child_id),
            col(Escalation.village_code),
            col(Escalation.urgent),
            col(Escalation.raised_at),
            col(EscalationMeasure.kind),
            col(EscalationMeasure.informed_at),
        )
        .select_from(EscalationMeasure)
        .join(Escalation, col(Escalation.id) == col(EscalationMeasure.escalation_id))
        .where(col(Escalation.village_code).startswith(area_prefix))
        .order_by(col(EscalationMeasure.informed_at), col(EscalationMeasure.id))
    )
    if child_id is not None:
        statement = statement.where(col(Escalation.child_id) == child_id)
    return [InformedRow(*row) for row in session.execute(statement).all()]


def open_counts_in_area(
    *, session: Session, area_prefix: str, resolved: str
) -> list[tuple[str, bool, int]]:
    """How many escalations of an area are unresolved, by state and urgency."""
    statement = (
        select(Escalation.state, Escalation.urgent, func.count())
        .where(col(Escalation.village_code).startswith(area_prefix), Escalation.state != resolved)
        .group_by(col(Escalation.state), col(Escalation.urgent))
    )
    return [(s, bool(u), int(n)) for s, u, n in session.exec(statement).all()]


def overdue_escalations_in_area(
    *, session: Session, area_prefix: str, resolved: str, now: datetime
) -> int:
    """How many unresolved escalations of an area are past their time to be acted on."""
    statement = (
        select(func.count())
        .select_from(Escalation)
        .where(
            col(Escalation.village_code).startswith(area_prefix),
            Escalation.state != resolved,
            col(Escalation.due_by) <= now,
        )
    )
    return int(session.exec(statement).one())


def overdue_children_in_area(*, session: Session, area_prefix: str, today: date) -> int:
    """How many open files of an area are past their next contact or visit."""
    statement = (
        select(func.count())
        .select_from(Child)
        .where(
            col(Child.village_code).startswith(area_prefix),
            col(Child.closed).is_(False),
            or_(col(Child.next_visit_due) < today, col(Child.next_contact_due) < today),
        )
    )
    return int(session.exec(statement).one())


def admins_at_levels(
    *, session: Session, levels: Sequence[str]
) -> list[tuple[Recipient, str, str]]:
    """Active, enrolled admins of units at these levels, with their unit's name and level."""
    statement = (
        sa_select(
            col(Staff.id),
            col(Staff.role),
            col(Staff.org_code),
            col(Staff.name),
            col(Staff.locale),
            col(Staff.telegram_user_id),
            col(OrgUnit.name),
            col(OrgUnit.level),
        )
        .join(OrgUnit, col(OrgUnit.code) == col(Staff.org_code))
        .where(
            col(Staff.role) == "admin",
            col(Staff.active).is_(True),
            col(Staff.telegram_user_id).is_not(None),
            col(OrgUnit.level).in_(levels),
        )
        .order_by(col(Staff.id))
    )
    # The query keeps only rows with an id and a Telegram account, as Recipient needs.
    return [
        (Recipient._make(row[:6]), row[6], row[7])
        for row in session.connection().execute(statement)
    ]
