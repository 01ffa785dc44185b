"""Closing a file (with a reason and a date) and reopening it (with a reason).

A closed file keeps its history and stays readable by the area's staff; the sweep, the due
lists and the visit picker leave it out, since they read open files only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.care.children import refresh_due_dates
from bot.errors import AccessDenied, UserError
from bot.i18n import N_
from bot.people.access import Caller
from bot.people.roles import Action, may
from storage import lifecycle_queries
from storage.child_models import Child

CLOSE_REASONS = {
    "aged_out": N_("lifecycle.close_reason.aged_out"),
    "parents_returned": N_("lifecycle.close_reason.parents_returned"),
    "moved_away": N_("lifecycle.close_reason.moved_away"),
    "not_eligible": N_("lifecycle.close_reason.not_eligible"),
    "died": N_("lifecycle.close_reason.died"),
    "duplicate": N_("lifecycle.close_reason.duplicate"),
}


def own_child(session: Session, caller: Caller, child_id: int, action: Action) -> Child:
    """The child's row, locked, when the caller may take `action` on it in their village."""
    child = lifecycle_queries.child_for_update(session=session, child_id=child_id)
    if child is None or not caller.sees(child.village_code):
        raise AccessDenied(N_("children.error.not_found"), table="child", record_id=child_id)
    if not may(caller.role, action) or child.village_code != caller.org_code:
        raise UserError(N_("children.error.read_only"))
    return child


def closable(session: Session, caller: Caller, child_id: int) -> Child:
    """The caller's open file, or a refusal saying why it cannot be closed."""
    child = own_child(session, caller, child_id, Action.CLOSE_FILES)
    if child.closed:
        raise UserError(N_("lifecycle.error.already_closed"))
    return child


def reopenable(session: Session, caller: Caller, child_id: int) -> Child:
    child = own_child(session, caller, child_id, Action.CLOSE_FILES)
    if not child.closed:
        raise UserError(N_("lifecycle.error.not_closed"))
    return child


def close_child(
    *,
    session: Session,
    caller: Caller,
    child_id: int,
    reason: str,
    closed_on: date,
    note: str,
    today: date,
    now: datetime,
) -> Child:
    """Close an open file of the caller's village; a future date or unknown reason is refused."""
    child = closable(session, caller, child_id)
    if reason not in CLOSE_REASONS:
        raise UserError(N_("lifecycle.error.close_reason"))
    if closed_on > today:
        raise UserError(N_("lifecycle.error.future_date"))
    child.closed, child.closed_reason, child.closed_on = True, reason, closed_on
    # Nothing is due for a closed file: the sweep reads open files only, and so do the lists.
    child.next_contact_due = child.next_visit_due = None
    child.updated_at = now
    record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="child.close",
        table="child",
        record_id=child_id,
        new={"reason": reason, "closed_on": closed_on.isoformat(), "note": note},
        at=now,
    )
    return child


def reopen_child(
    *, session: Session, caller: Caller, child_id: int, reason: str, today: date, now: datetime
) -> Child:
    """Reopen a closed file of the caller's village; its visits fall due again from today."""
    child = reopenable(session, caller, child_id)
    old = {"reason": child.closed_reason, "closed_on": str(child.closed_on)}
    child.closed, child.closed_reason, child.closed_on = False, None, None
    child.updated_at = now
    refresh_due_dates(child, today)
    record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="child.reopen",
        table="child",
        record_id=child_id,
        old=old,
        new={"reason": reason},
        at=now,
    )
    return child


def keeps_file(caller: Caller, child: Child) -> bool:
    """Whether the caller is a director of the file's village (close, reopen, transfer)."""
    return may(caller.role, Action.CLOSE_FILES) and child.village_code == caller.org_code


def may_review(caller: Caller) -> bool:
    return may(caller.role, Action.REVIEW_FILES)
