"""The audit log: who did what to which record, and when, written in the same transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from storage.models import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff member in chat, or an operator at the command line."""

    label: str
    staff_id: int | None = None

    @classmethod
    def cli(cls) -> Actor:
        return cls(label="cli")

    @classmethod
    def staff(cls, staff_id: int) -> Actor:
        return cls(label=f"staff:{staff_id}", staff_id=staff_id)


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def record_audit(
    *,
    session: Session,
    actor: Actor,
    action: str,
    table: str,
    record_id: object,
    old: Any = None,
    new: Any = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one audit row to the caller's transaction."""
    entry = AuditEntry(
        at=at or datetime.now(UTC),
        actor_staff_id=actor.staff_id,
        actor_label=actor.label,
        action=action,
        table_name=table,
        record_id=str(record_id),
        old_value=_dump(old),
        new_value=_dump(new),
    )
    session.add(entry)
    return entry


def record_denied(
    *, session: Session, actor: Actor, table: str, record_id: object, at: datetime | None = None
) -> None:
    """Log a refused attempt to reach a record (written after the refusing transaction)."""
    record_audit(
        session=session,
        actor=actor,
        action=f"{table}.denied",
        table=table,
        record_id=record_id,
        at=at,
    )
