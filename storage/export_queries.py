"""Reads for the ledger exports: an area's files streamed in chunks, and what belongs to them.

Every query takes the area's code prefix (or child ids already read through one), so an export
never reaches outside the caller's area. Streams use the session's connection with `yield_per`
(a server-side cursor on PostgreSQL), so a million files never sit in memory at once; personal
columns are decrypted as each chunk is fetched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from storage.child_models import Assistance, Caregiver, Child, Guardian
from storage.models import OrgUnit, Staff
from storage.visit_models import Escalation, Visit, VisitProblem

CHUNK = 2_000  # rows fetched and assembled at a time
EXPORT_LOCKS = 0x6578  # the advisory-lock namespace of exports ("ex")


def _stream(session: Session, statement: Any, chunk: int | None) -> Iterator[Sequence[Any]]:
    # Core on the session's connection: ORM objects would cost more than the writing itself.
    chunk = chunk or CHUNK
    result = session.connection().execute(statement, execution_options={"yield_per": chunk})
    yield from result.partitions(chunk)


def count_children(*, session: Session, area_prefix: str) -> int:
    """Count the open files of an area."""
    statement = (
        select(func.count())
        .select_from(Child)
        .where(col(Child.village_code).startswith(area_prefix), col(Child.closed).is_(False))
    )
    return int(session.execute(statement).scalar_one())


def children_chunks(
    *, session: Session, area_prefix: str, child_id: int | None = None, chunk: int | None = None
) -> Iterator[Sequence[Any]]:
    """The open files of an area (or one of them), village by village, in chunks of rows."""
    table = Child.__table__  # type: ignore[attr-defined]
    statement = select(table).where(col(Child.village_code).startswith(area_prefix))
    if child_id is None:
        statement = statement.where(col(Child.closed).is_(False))
    else:
        statement = statement.where(col(Child.id) == child_id)
    statement = statement.order_by(col(Child.village_code), col(Child.id))
    return _stream(session, statement, chunk)


def guardians_of_children(*, session: Session, child_ids: Sequence[int]) -> Sequence[Any]:
    table = Guardian.__table__  # type: ignore[attr-defined]
    return session.execute(select(table).where(col(Guardian.child_id).in_(child_ids))).all()


def caregivers_of_children(*, session: Session, child_ids: Sequence[int]) -> Sequence[Any]:
    table = Caregiver.__table__  # type: ignore[attr-defined]
    return session.execute(select(table).where(col(Caregiver.child_id).in_(child_ids))).all()


def assistance_of_children(*, session: Session, child_ids: Sequence[int]) -> Sequence[Any]:
    statement = (
        select(
            col(Assistance.child_id),
            col(Assistance.scope),
            col(Assistance.kind),
            col(Assistance.yuan_per_month),
        )
        .where(col(Assistance.child_id).in_(child_ids))
        .order_by(col(Assistance.id))
    )
    return session.execute(statement).all()


def visits_of_children(
    *, session: Session, child_ids: Sequence[int], start: date, end: date, kind: str | None = None
) -> Sequence[Any]:
    """(child id, visit id, date, measures) of the children's visits in [start, end), in order."""
    statement = select(
        col(Visit.child_id), col(Visit.id), col(Visit.visited_on), col(Visit.measures)
    ).where(
        col(Visit.child_id).in_(child_ids),
        col(Visit.visited_on) >= start,
        col(Visit.visited_on) < end,
    )
    if kind is not None:
        statement = statement.where(col(Visit.kind) == kind)
    statement = statement.order_by(col(Visit.child_id), col(Visit.visited_on), col(Visit.id))
    return session.execute(statement).all()


def problems_of_visits(*, session: Session, visit_ids: Sequence[int]) -> Sequence[Any]:
    """(visit id, category, note) of the problems found on these visits."""
    if not visit_ids:
        return []
    statement = (
        select(col(VisitProblem.visit_id), col(VisitProblem.category), col(VisitProblem.note))
        .where(col(VisitProblem.visit_id).in_(visit_ids))
        .order_by(col(VisitProblem.id))
    )
    return session.execute(statement).all()


def visit_chunks(
    *, session: Session, area_prefix: str, start: date, end: date, chunk: int | None = None
) -> Iterator[Sequence[Any]]:
    """Every visit to an area's children in [start, end), with the child's village, name and
    ID number, village by village."""
    statement: Any = (
        select(
            col(Child.village_code),
            col(Child.name).label("child_name"),
            Child.__table__.c.id_number,  # type: ignore[attr-defined]
            Visit.__table__,  # type: ignore[attr-defined]
        )
        .join(Child, col(Child.id) == col(Visit.child_id))
        .where(
            col(Child.village_code).startswith(area_prefix),
            col(Visit.visited_on) >= start,
            col(Visit.visited_on) < end,
        )
        .order_by(col(Child.village_code), col(Visit.child_id), col(Visit.visited_on))
    )
    return _stream(session, statement, chunk)


def escalation_chunks(
    *,
    session: Session,
    area_prefix: str,
    since: datetime,
    until: datetime,
    chunk: int | None = None,
) -> Iterator[Sequence[Any]]:
    """The escalations an area's villages raised in [since, until), with the child's name."""
    escalation = Escalation.__table__  # type: ignore[attr-defined]
    statement: Any = (
        select(col(Child.name).label("child_name"), escalation)
        .join(Child, col(Child.id) == col(Escalation.child_id))
        .where(
            col(Escalation.village_code).startswith(area_prefix),
            col(Escalation.raised_at) >= since,
            col(Escalation.raised_at) < until,
        )
        .order_by(col(Escalation.village_code), col(Escalation.raised_at))
    )
    return _stream(session, statement, chunk)


def units_under(*, session: Session, area_prefix: str) -> dict[str, tuple[str, str, str | None]]:
    """Code -> (name, level, parent code) of every unit in the area."""
    statement = select(
        col(OrgUnit.code), col(OrgUnit.name), col(OrgUnit.level), col(OrgUnit.parent_code)
    ).where(col(OrgUnit.code).startswith(area_prefix))
    return {code: (name, level, parent) for code, name, level, parent in session.execute(statement)}


def staff_in_area(*, session: Session, area_prefix: str) -> Sequence[Any]:
    """(id, role, org code, name, phone, active) of the area's staff, oldest first."""
    statement = (
        select(
            col(Staff.id),
            col(Staff.role),
            col(Staff.org_code),
            col(Staff.name),
            col(Staff.phone),
            col(Staff.active),
        )
        .where(col(Staff.org_code).startswith(area_prefix))
        .order_by(col(Staff.id))
    )
    return session.execute(statement).all()


def child_village(*, session: Session, child_id: int) -> str | None:
    """The village code of a file, or None when there is no such file."""
    statement = select(col(Child.village_code)).where(col(Child.id) == child_id)
    return session.execute(statement).scalar_one_or_none()


@contextmanager
def person_export_lock(*, engine: Engine, staff_id: int) -> Iterator[bool]:
    """Hold a staff member's export lock across processes while the block runs; yield False
    when another process holds it. On PostgreSQL a session advisory lock on a connection of its
    own; SQLite runs in a single process, where the caller's in-process guard is enough."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        taken = connection.execute(
            select(func.pg_try_advisory_lock(EXPORT_LOCKS, staff_id))
        ).scalar_one()
        connection.commit()
        try:
            yield bool(taken)
        finally:
            if taken:
                connection.execute(select(func.pg_advisory_unlock(EXPORT_LOCKS, staff_id)))
                connection.commit()
