"""Queries a ledger import needs in bulk: who holds which ID already, villages by name, and
the batched writing of new files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

from sqlmodel import Session, SQLModel, col, select

from storage.child_models import Child
from storage.models import AuditEntry, OrgUnit, Staff

CHUNK = 500  # bound parameters per IN list, well under SQLite's and PostgreSQL's limits


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def holders_by_hash(*, session: Session, hashes: Sequence[str]) -> dict[str, str]:
    """The village holding a file, for each blind index of an ID number that is on file."""
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(set(hashes))):
        statement = select(Child.id_number_hash, Child.village_code).where(
            col(Child.id_number_hash).in_(chunk)
        )
        found.update((key, village) for key, village in session.exec(statement) if key)
    return found


def name_birth_counts(*, session: Session, names: Sequence[str]) -> Counter[tuple[str, date]]:
    """How many files there are by (name, birth date), for the names given."""
    counts: Counter[tuple[str, date]] = Counter()
    for chunk in _chunks(sorted(set(names))):
        statement = select(col(Child.name), col(Child.birth_date)).where(col(Child.name).in_(chunk))
        counts.update(session.exec(statement).all())
    return counts


def villages_under(*, session: Session, org_code: str) -> Sequence[OrgUnit]:
    """The villages in an area (the unit itself, when it is a village)."""
    statement = select(OrgUnit).where(
        col(OrgUnit.code).startswith(org_code), OrgUnit.level == "village"
    )
    return session.exec(statement.order_by(col(OrgUnit.code))).all()


def admin_of(*, session: Session, org_codes: Sequence[str]) -> Staff | None:
    """An active admin of the first of the units (nearest first) that has one."""
    for code in org_codes:
        staff = session.exec(
            select(Staff)
            .where(Staff.org_code == code, Staff.role == "admin", col(Staff.active).is_(True))
            .order_by(col(Staff.id))
        ).first()
        if staff is not None:
            return staff
    return None


def insert_children(*, session: Session, children: Sequence[Child]) -> None:
    """Insert new files in one batch; their ids are set afterwards."""
    session.add_all(children)
    session.flush()


def insert_rows(*, session: Session, rows: Sequence[SQLModel]) -> None:
    session.add_all(rows)
    session.flush()


def audit_entry(*, session: Session, entry_id: int) -> AuditEntry | None:
    return session.get(AuditEntry, entry_id)
