"""Whom a message can go to: active staff with a Telegram account, and the org tree above them."""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from sqlalchemy import select
from sqlmodel import Session, col

from storage.models import OrgUnit, Staff


class Recipient(NamedTuple):
    """The staff columns a message needs; whole Staff objects cost too much at sweep scale."""

    id: int
    role: str
    org_code: str
    name: str | None
    locale: str | None
    telegram_user_id: int


class Unit(NamedTuple):
    """An org unit as routing reads it."""

    parent_code: str
    name: str
    level: str


_COLUMNS = (
    col(Staff.id),
    col(Staff.role),
    col(Staff.org_code),
    col(Staff.name),
    col(Staff.locale),
    col(Staff.telegram_user_id),
)


def enrolled_staff_by_unit(*, session: Session, role: str) -> dict[str, list[Recipient]]:
    """Active, enrolled staff of a role by unit, in id order."""
    statement = (
        select(*_COLUMNS)
        .where(
            col(Staff.role) == role,
            col(Staff.active).is_(True),
            col(Staff.telegram_user_id).is_not(None),
        )
        .order_by(col(Staff.id))
    )
    by_unit: dict[str, list[Recipient]] = defaultdict(list)
    for row in session.connection().execute(statement):
        recipient = Recipient._make(row)  # the query keeps only rows with a Telegram account
        by_unit[recipient.org_code].append(recipient)
    return by_unit


def enrolled_staff_at(*, session: Session, org_code: str, role: str) -> list[Recipient]:
    """Active, enrolled staff of a role at one unit, in id order."""
    statement = (
        select(*_COLUMNS)
        .where(
            col(Staff.org_code) == org_code,
            col(Staff.role) == role,
            col(Staff.active).is_(True),
            col(Staff.telegram_user_id).is_not(None),
        )
        .order_by(col(Staff.id))
    )
    return [Recipient._make(row) for row in session.connection().execute(statement)]


def recipient_by_id(*, session: Session, staff_id: int | None) -> Recipient | None:
    """A staff member as a recipient, or None when unknown or without a Telegram account."""
    if staff_id is None:
        return None
    statement = select(*_COLUMNS).where(
        col(Staff.id) == staff_id, col(Staff.telegram_user_id).is_not(None)
    )
    row = session.connection().execute(statement).first()
    return Recipient._make(row) if row is not None else None


def units(*, session: Session) -> dict[str, Unit]:
    """Every org unit by code: its parent, name and level."""
    statement = select(
        col(OrgUnit.code), col(OrgUnit.parent_code), col(OrgUnit.name), col(OrgUnit.level)
    )
    return {
        code: Unit(parent or "", name, level)
        for code, parent, name, level in session.connection().execute(statement)
    }


def unit_chain(*, session: Session, code: str) -> list[tuple[str, str]]:
    """A unit and those above it, nearest first, as (code, level)."""
    chain: list[tuple[str, str]] = []
    seen: set[str] = set()
    current: str | None = code
    while current and current not in seen:
        seen.add(current)
        row = (
            session.connection()
            .execute(
                select(col(OrgUnit.parent_code), col(OrgUnit.level)).where(
                    col(OrgUnit.code) == current
                )
            )
            .first()
        )
        if row is None:
            break
        chain.append((current, row[1]))
        current = row[0]
    return chain


def chain_of(code: str, tree: dict[str, Unit]) -> list[tuple[str, str]]:
    """The same chain as `unit_chain`, from units already read."""
    chain: list[tuple[str, str]] = []
    while code in tree and len(chain) < 8:  # the tree has five levels; a cycle must not hang
        unit = tree[code]
        chain.append((code, unit.level))
        code = unit.parent_code
    return chain
