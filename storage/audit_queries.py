"""Reading the audit log back: who saw and changed a child's file, or what one person did."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, or_, select

from storage.models import AuditEntry


def entries_for_child(*, session: Session, child_id: int) -> Sequence[AuditEntry]:
    """Return every audit row about a child's file, oldest first."""
    statement = (
        select(AuditEntry)
        .where(AuditEntry.table_name == "child", AuditEntry.record_id == str(child_id))
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    return session.exec(statement).all()


def entries_for_staff(*, session: Session, staff_id: int) -> Sequence[AuditEntry]:
    """Return every audit row a staff member caused or that is about them, oldest first."""
    statement = (
        select(AuditEntry)
        .where(
            or_(
                col(AuditEntry.actor_staff_id) == staff_id,
                (col(AuditEntry.table_name) == "staff")
                & (col(AuditEntry.record_id) == str(staff_id)),
            )
        )
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    return session.exec(statement).all()
