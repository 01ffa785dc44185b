"""The audit log: who did what to which record, and when, written in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from bot.personal import mask_id_number, mask_phone
from storage import audit_queries
from storage.models import AuditEntry

# Personal columns as "table.column" -> how their values are masked in the audit log, which
# never stores a full ID number, phone or address.
PERSONAL_COLUMNS = {
    "child.id_number": "id",
    "child.home_address": "address",
    "child.helper_phone": "phone",
    "guardian.id_number": "id",
    "guardian.phone": "phone",
    "guardian.address": "address",
    "caregiver.phone": "phone",
    "caregiver.address": "address",
}


def mask_address(address: str | None) -> str:
    """Keep an address's first four characters: enough to tell two apart, not to find a home."""
    if not address:
        return ""
    return address[:4] + "***"


def mask_personal(kind: str, value: Any) -> Any:
    """Mask one personal value ("id", "phone" or "address"); other values pass through."""
    if not isinstance(value, str) or not value:
        return value
    if kind == "id":
        return mask_id_number(value)
    if kind == "phone":
        return mask_phone(value)
    if kind == "address":
        return mask_address(value)
    return value


def masked(values: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """Return values with every key named in `kinds` masked by its kind."""
    return {key: mask_personal(kinds.get(key, ""), value) for key, value in values.items()}


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


def record_changes(
    *,
    session: Session,
    actor: Actor,
    action: str,
    table: str,
    record_id: object,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    names: Iterable[str],
    at: datetime,
    personal: Mapping[str, str] | None = None,
) -> None:
    """Add one audit row per changed answer, old and new, personal values masked by kind."""
    kinds = dict(personal or {})
    for name in names:
        record_audit(
            session=session,
            actor=actor,
            action=action,
            table=table,
            record_id=record_id,
            old=masked({name: before.get(name)}, kinds),
            new=masked({name: after.get(name)}, kinds),
            at=at,
        )


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


def audit_lines(
    *, session: Session, child_id: int | None = None, staff_id: int | None = None
) -> list[str]:
    """Return the audit trail of a child's file or of a staff member, one line per entry."""
    if child_id is not None:
        entries = audit_queries.entries_for_child(session=session, child_id=child_id)
    elif staff_id is not None:
        entries = audit_queries.entries_for_staff(session=session, staff_id=staff_id)
    else:
        raise ValueError("give a child or a staff member")
    lines = []
    for entry in entries:
        change = ""
        if entry.old_value is not None or entry.new_value is not None:
            change = f"\t{entry.old_value or '-'} -> {entry.new_value or '-'}"
        lines.append(
            f"{entry.at.isoformat(timespec='seconds')}\t{entry.actor_label}\t{entry.action}\t"
            f"{entry.table_name}:{entry.record_id}{change}"
        )
    return lines
