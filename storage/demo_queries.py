"""Bulk writes for synthetic demo data: Core inserts in chunks, no ORM objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlmodel import col

from storage.child_models import Child
from storage.crypto import keyring
from storage.models import OrgUnit, Staff
from storage.visit_models import Visit

Rows = list[dict[str, object]]


def count_enrolled_staff(*, engine: Engine) -> int:
    """Count staff bound to a real (positive) Telegram account."""
    with engine.connect() as connection:
        count = connection.execute(
            select(func.count()).select_from(Staff).where(col(Staff.telegram_user_id) > 0)
        ).scalar_one()
    return int(count)


def insert_region(*, engine: Engine, orgs: Rows, staff: Rows) -> dict[str, int]:
    """Insert the org tree and its staff; return each village's director id by village code."""
    with engine.begin() as connection:
        connection.execute(insert(OrgUnit), orgs)
        connection.execute(insert(Staff), staff)
        rows = connection.execute(
            select(col(Staff.org_code), col(Staff.id)).where(col(Staff.role) == "director")
        )
        return {code: staff_id for code, staff_id in rows if staff_id is not None}


def insert_children(*, engine: Engine, batches: Iterable[Rows]) -> None:
    """Insert children batch by batch in one transaction, each with its ID's blind index."""
    index = keyring().blind_index  # Core inserts skip the ORM hook that sets it
    with engine.begin() as connection:
        for batch in batches:
            rows = [{**row, "id_number_hash": index(str(row["id_number"]))} for row in batch]
            connection.execute(insert(Child), rows)


def children_for_visits(*, engine: Engine) -> Sequence[Any]:
    """Return (id, filed_by, risk_tier, last_visit_on, last_contact_on) of every child."""
    columns: Any = (
        col(Child.id),
        col(Child.filed_by),
        col(Child.risk_tier),
        col(Child.last_visit_on),
        col(Child.last_contact_on),
    )
    with engine.connect() as connection:
        return connection.execute(select(*columns)).all()


def insert_visits(*, engine: Engine, batches: Iterable[Rows]) -> None:
    """Insert visits batch by batch in one transaction."""
    with engine.begin() as connection:
        for batch in batches:
            connection.execute(insert(Visit), batch)
