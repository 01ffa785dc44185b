"""Queries over child files; listing always goes through the caller's area prefix."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, delete, func, select

from storage.child_models import Assistance, Caregiver, Child, Guardian
from storage.crypto import keyring
from storage.visit_models import Visit, VisitProblem


def child_by_id(*, session: Session, child_id: int) -> Child | None:
    return session.get(Child, child_id)


def child_by_id_number(*, session: Session, id_number: str) -> Child | None:
    """Find a file by ID number through its blind index (any configured key's hash)."""
    hashes = keyring().blind_indexes(id_number)
    return session.exec(select(Child).where(col(Child.id_number_hash).in_(hashes))).first()


def count_same_name_and_birth(
    *, session: Session, name: str, birth_date: date, exclude_id: int | None = None
) -> int:
    statement = (
        select(func.count())
        .select_from(Child)
        .where(Child.name == name, Child.birth_date == birth_date)
    )
    if exclude_id is not None:
        statement = statement.where(Child.id != exclude_id)
    return int(session.exec(statement).one())


def children_in_area(
    *, session: Session, area_prefix: str, offset: int = 0, limit: int = 10
) -> tuple[Sequence[Child], int]:
    """Return one page of open files in the area, by name, and how many there are in all."""
    where = (col(Child.village_code).startswith(area_prefix), col(Child.closed).is_(False))
    total = session.exec(select(func.count()).select_from(Child).where(*where)).one()
    page = session.exec(
        select(Child)
        .where(*where)
        .order_by(col(Child.name), col(Child.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return page, int(total)


def guardians_of(*, session: Session, child_id: int) -> Sequence[Guardian]:
    return session.exec(
        select(Guardian).where(Guardian.child_id == child_id).order_by(col(Guardian.relation))
    ).all()


def caregiver_of(*, session: Session, child_id: int) -> Caregiver | None:
    return session.exec(select(Caregiver).where(Caregiver.child_id == child_id)).first()


def assistance_of(*, session: Session, child_id: int) -> Sequence[Assistance]:
    return session.exec(
        select(Assistance).where(Assistance.child_id == child_id).order_by(col(Assistance.id))
    ).all()


def delete_related(*, session: Session, child_id: int) -> None:
    """Remove a child's parent, caregiver and assistance rows before they are written anew."""
    for table in (Guardian, Caregiver, Assistance):
        session.exec(delete(table).where(col(table.child_id) == child_id))


def visits_of(*, session: Session, child_id: int, limit: int) -> Sequence[Visit]:
    statement = (
        select(Visit)
        .where(Visit.child_id == child_id)
        .order_by(col(Visit.visited_on).desc(), col(Visit.id).desc())
        .limit(limit)
    )
    return session.exec(statement).all()


def problem_categories(*, session: Session, visit_id: int) -> list[str]:
    statement = select(VisitProblem.category).where(VisitProblem.visit_id == visit_id)
    return list(session.exec(statement).all())


def placeholders(*, session: Session, area_prefix: str = "") -> Sequence[Child]:
    """Open files still to be completed (opened by an urgent report), by village, oldest first."""
    statement = (
        select(Child)
        .where(
            col(Child.placeholder).is_(True),
            col(Child.closed).is_(False),
            col(Child.village_code).startswith(area_prefix),
        )
        .order_by(col(Child.village_code), col(Child.filed_at), col(Child.id))
    )
    return session.exec(statement).all()


def children_without_id(*, session: Session) -> dict[str, list[str]]:
    """The names of open files still without an ID number, by village (a daily reminder)."""
    rows = session.exec(
        select(Child.village_code, Child.name)
        .where(
            col(Child.id_number).is_(None),
            col(Child.closed).is_(False),
            col(Child.placeholder).is_(False),  # reminded as files to complete instead
        )
        .order_by(col(Child.village_code), col(Child.name), col(Child.id))
    ).all()
    found: dict[str, list[str]] = {}
    for village, name in rows:
        found.setdefault(village, []).append(name)
    return found
