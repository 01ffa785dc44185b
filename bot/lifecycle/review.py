"""The township's review of a file: new files, and edits of what decides who is cared for.

A file under review is kept and followed as usual; the review only says whether the
supervisor agrees with it. A returned file goes back to the director who sent it, with the
supervisor's note and the section to look at again; saving it sends it to review again.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.care.escalations import first_name
from bot.errors import AccessDenied, UserError
from bot.i18n import N_
from bot.lifecycle.people import tell, township_receivers, village_directors
from bot.notify.notification import Notification, text_notice
from bot.people.access import Caller
from bot.people.roles import Action, may
from bot.personal import mask_id_number
from storage import lifecycle_queries, queries, recipient_queries
from storage.child_models import Child
from storage.models import AuditEntry

PENDING, RETURNED = "pending", "returned"
NEW, EDIT = "new", "edit"
# The answers that decide the category, eligibility and the risk tier (section 二's facts).
REVIEWED_ANSWERS = frozenset(
    {
        "child_id",
        "hukou",
        "category",
        "difficulty_type",
        "father_special",
        "father_away",
        "father_away_months",
        "father_can_guard",
        "mother_special",
        "mother_away",
        "mother_away_months",
        "mother_can_guard",
        "risk_tier",
    }
)


def _event_id(session: Session, entry: AuditEntry) -> int:
    """The audit row's id: each review step's messages are keyed by the step, once each."""
    session.flush()
    assert entry.id is not None
    return entry.id


def reviewed_changes(changed: Collection[str]) -> list[str]:
    """The changed answers a supervisor must see, in a stable order."""
    return sorted(set(changed) & REVIEWED_ANSWERS)


def submit(
    *,
    session: Session,
    caller: Caller,
    child: Child,
    kind: str,
    changed: Collection[str],
    now: datetime,
) -> int:
    """Put a file under review and tell the township; return how many were told."""
    assert child.id is not None
    child.review_state, child.review_note, child.review_section = PENDING, None, None
    child.review_by = caller.staff_id
    entry = record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="child.review_submitted",
        table="child",
        record_id=child.id,
        new={"kind": kind, "answers": sorted(changed)},
        at=now,
    )
    village = queries.get_org(session=session, code=child.village_code)
    notice = Notification(
        "lifecycle.review",
        {
            "child_id": child.id,
            "kind": kind,
            "name": first_name(child.name),
            "id": mask_id_number(child.id_number) if child.id_number else "",
            "village": village.name if village else child.village_code,
            "category": child.category,
            "risk": child.risk_tier,
            "director": caller.name or "",
        },
    )
    receivers = township_receivers(session, child.village_code)
    return tell(
        session, receivers, key=f"review:{_event_id(session, entry)}", notice=notice, now=now
    )


def after_save(
    *,
    session: Session,
    caller: Caller,
    child: Child,
    kind: str,
    changed: Collection[str],
    enabled: bool,
    now: datetime,
) -> None:
    """Send a saved file to review when it is new, was returned, or changed what is reviewed."""
    if not enabled:
        return
    concerned = reviewed_changes(changed)
    if kind == NEW or child.review_state == RETURNED or concerned:
        submit(session=session, caller=caller, child=child, kind=kind, changed=concerned, now=now)


def reviewable(session: Session, caller: Caller, child_id: int) -> Child:
    """A file under review in the caller's area, locked; a refusal otherwise."""
    child = lifecycle_queries.child_for_update(session=session, child_id=child_id)
    if child is None or not caller.sees(child.village_code):
        raise AccessDenied(N_("children.error.not_found"), table="child", record_id=child_id)
    if not may(caller.role, Action.REVIEW_FILES):
        raise UserError(N_("lifecycle.error.not_reviewer"))
    if child.review_state != PENDING:
        raise UserError(N_("lifecycle.error.not_pending"))
    return child


def _told(session: Session, child: Child) -> list[recipient_queries.Recipient]:
    """The director who sent the file, or the village's directors when they are gone."""
    sender = recipient_queries.recipient_by_id(session=session, staff_id=child.review_by)
    return [sender] if sender is not None else village_directors(session, child.village_code)


def approve(*, session: Session, caller: Caller, child_id: int, now: datetime) -> Child:
    """Approve a file under review and tell the director."""
    child = reviewable(session, caller, child_id)
    child.review_state, child.review_note, child.review_section = None, None, None
    entry = record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="child.review_approved",
        table="child",
        record_id=child_id,
        old={"review": PENDING},
        at=now,
    )
    notice = text_notice(N_("lifecycle.review.approved_notice"), name=child.name)
    key = f"review_ok:{_event_id(session, entry)}"
    tell(session, _told(session, child), key=key, notice=notice, now=now)
    return child


def return_file(
    *,
    session: Session,
    caller: Caller,
    child_id: int,
    section: str,
    note: str,
    now: datetime,
) -> Child:
    """Return a file under review with a note and the section to look at again."""
    child = reviewable(session, caller, child_id)
    child.review_state, child.review_note, child.review_section = RETURNED, note, section
    entry = record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="child.review_returned",
        table="child",
        record_id=child_id,
        old={"review": PENDING},
        new={"review": RETURNED, "section": section, "note": note},
        at=now,
    )
    notice = Notification(
        "lifecycle.returned", {"child_id": child_id, "name": child.name, "note": note}
    )
    key = f"review_back:{_event_id(session, entry)}"
    tell(session, _told(session, child), key=key, notice=notice, now=now)
    return child


def check_editor(caller: Caller, child: Child) -> None:
    """Refuse an edit of a closed file, or of a returned one by anyone but its director."""
    if child.closed:
        raise UserError(N_("lifecycle.error.closed"))
    if child.review_state == RETURNED and child.review_by not in (None, caller.staff_id):
        raise UserError(N_("lifecycle.error.returned_to_other"))
