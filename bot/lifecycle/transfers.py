"""Moving a file to another village: asked for by one side, accepted or declined by the other.

The sending director starts a transfer ("push", the receiving village decides); a director who
finds the child on file elsewhere asks for it ("pull", the holding village decides). The
deciding village's directors decide, or its township's supervisors when it has none. On
acceptance the file, its visits and its due dates (the reminders read them) move with the
child's row; both villages and both townships are told.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.care.children import refresh_due_dates
from bot.care.escalations import first_name
from bot.errors import AccessDenied, UserError
from bot.i18n import N_
from bot.lifecycle.closing import own_child
from bot.lifecycle.people import tell, township_receivers, village_directors
from bot.notify.notification import Notification, text_notice
from bot.people.access import Caller
from bot.people.roles import Action, Role, may
from storage import lifecycle_queries, queries
from storage.child_models import Child
from storage.lifecycle_models import ACCEPTED, DECLINED, PENDING, PULL, PUSH, ChildTransfer
from storage.models import OrgUnit
from storage.recipient_queries import Recipient

NAME_MAX = 50


def find_village(session: Session, text: str) -> Sequence[OrgUnit]:
    """The villages a typed code or part of a name points at (a code matches only itself)."""
    text = text.strip()
    if not text:
        return []
    # "南井村 350121101201", as the form writes a village it found, names it by its code.
    name, _, code = text.rpartition(" ")
    if name and code.isdigit():
        text = code
    found = lifecycle_queries.villages_matching(session=session, text=text)
    exact = [v for v in found if v.code == text or v.name == text]
    return exact or found


def shown_village(session: Session, text: str) -> str:
    """The answer as the review shows it: the village's name and code once one is found."""
    found = find_village(session, text)
    return f"{found[0].name} {found[0].code}" if len(found) == 1 else text


def transferable(session: Session, caller: Caller, child_id: int) -> Child:
    """The caller's open file with no transfer pending, or a refusal saying why."""
    child = own_child(session, caller, child_id, Action.TRANSFER_FILES)
    if child.closed:
        raise UserError(N_("lifecycle.error.transfer_closed"))
    if lifecycle_queries.pending_transfer_of(session=session, child_id=child_id) is not None:
        raise UserError(N_("lifecycle.error.transfer_pending"))
    return child


def destination(session: Session, caller: Caller, text: str) -> OrgUnit:
    """The one village a typed answer names, other than the caller's own; a refusal otherwise."""
    found = find_village(session, text)
    if not found:
        raise UserError(N_("lifecycle.error.unknown_village"))
    if len(found) > 1:
        raise UserError(
            N_("lifecycle.error.several_villages"),
            villages="、".join(f"{v.name} {v.code}" for v in found),
        )
    (village,) = found
    if village.code == caller.org_code:
        raise UserError(N_("lifecycle.error.same_village"))
    return village


def _village_name(session: Session, code: str) -> str:
    village = queries.get_org(session=session, code=code)
    return village.name if village else code


def deciding_village(transfer: ChildTransfer) -> str:
    return transfer.to_village if transfer.direction == PUSH else transfer.from_village


def _deciders(session: Session, village_code: str) -> list[Recipient]:
    return village_directors(session, village_code) or township_receivers(session, village_code)


def _ask(session: Session, transfer: ChildTransfer, child: Child, now: datetime) -> None:
    """Send the decision, with Accept and Decline, to whoever decides for the village."""
    notice = Notification(
        "lifecycle.transfer",
        {
            "transfer_id": transfer.id,
            "direction": transfer.direction,
            "name": first_name(child.name),
            "from": _village_name(session, transfer.from_village),
            "to": _village_name(session, transfer.to_village),
            "note": transfer.note or "",
        },
    )
    deciders = _deciders(session, deciding_village(transfer))
    tell(session, deciders, key=f"transfer:{transfer.id}", notice=notice, now=now)


def _start(
    session: Session,
    caller: Caller,
    child: Child,
    *,
    to_village: str,
    direction: str,
    note: str,
    now: datetime,
) -> ChildTransfer:
    assert child.id is not None
    transfer = lifecycle_queries.add_transfer(
        session=session,
        transfer=ChildTransfer(
            child_id=child.id,
            from_village=child.village_code,
            to_village=to_village,
            direction=direction,
            requested_by=caller.staff_id,
            note=note or None,
            created_at=now,
        ),
    )
    record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="child.transfer_requested",
        table="child",
        record_id=child.id,
        new={
            "transfer": transfer.id,
            "direction": direction,
            "from": child.village_code,
            "to": to_village,
            "note": note,
        },
        at=now,
    )
    _ask(session, transfer, child, now)
    return transfer


def send_file(
    *, session: Session, caller: Caller, child_id: int, village: str, note: str, now: datetime
) -> ChildTransfer:
    """Start sending one of the caller's files to another village."""
    child = transferable(session, caller, child_id)
    target = destination(session, caller, village)
    return _start(
        session, caller, child, to_village=target.code, direction=PUSH, note=note, now=now
    )


def ask_for_file(*, session: Session, caller: Caller, child: Child, now: datetime) -> bool:
    """Ask the village holding a child's file to hand it over to the caller's village.

    Refused quietly (False) when the caller is not a director, the file is already theirs or
    a transfer of it is pending: the caller learns nothing of where the file is kept.
    """
    if not may(caller.role, Action.TRANSFER_FILES) or child.village_code == caller.org_code:
        return False
    assert child.id is not None
    if lifecycle_queries.pending_transfer_of(session=session, child_id=child.id) is not None:
        return False
    _start(session, caller, child, to_village=caller.org_code, direction=PULL, note="", now=now)
    return True


def decidable(session: Session, caller: Caller, transfer_id: int) -> ChildTransfer:
    """A pending transfer the caller decides, locked; a refusal saying why otherwise."""
    transfer = lifecycle_queries.transfer_for_update(session=session, transfer_id=transfer_id)
    village = deciding_village(transfer) if transfer is not None else ""
    if transfer is None or not caller.sees(village):
        raise AccessDenied(
            N_("lifecycle.error.transfer_not_found"), table="child_transfer", record_id=transfer_id
        )
    own = caller.role == Role.DIRECTOR and caller.org_code == village
    # Above the village only when it has no director to decide.
    above = caller.role != Role.DIRECTOR and not village_directors(session, village)
    if not may(caller.role, Action.DECIDE_TRANSFERS) or not (own or above):
        raise UserError(N_("lifecycle.error.not_decider"))
    if transfer.state != PENDING:
        raise UserError(N_("lifecycle.error.transfer_decided"))
    return transfer


def _tell_both_sides(
    session: Session, transfer: ChildTransfer, child: Child, declined: str | None, now: datetime
) -> None:
    """Tell both villages and both townships; `declined` is the reason, None when accepted."""
    origin = _village_name(session, transfer.from_village)
    target = _village_name(session, transfer.to_village)
    for village in (transfer.from_village, transfer.to_village):
        people = [*village_directors(session, village), *township_receivers(session, village)]
        if declined is None:
            notice = text_notice(
                N_("lifecycle.transfer.accepted_notice"),
                name=child.name,
                origin=origin,
                target=target,
            )
        elif transfer.direction == PULL and village == transfer.to_village:
            # Whoever asked for a file kept elsewhere is not told where it is kept.
            notice = text_notice(
                N_("lifecycle.transfer.pull_declined_notice"), name=child.name, reason=declined
            )
        else:
            notice = text_notice(
                N_("lifecycle.transfer.declined_notice"),
                name=child.name,
                origin=origin,
                target=target,
                reason=declined,
            )
        tell(session, people, key=f"transfer_done:{transfer.id}", notice=notice, now=now)


def decide(
    *,
    session: Session,
    caller: Caller,
    transfer_id: int,
    accept: bool,
    now: datetime,
    today: date,
    reason: str = "",
) -> tuple[ChildTransfer, Child]:
    """Accept (the file moves) or decline (saying why) a pending transfer; everyone concerned
    is told."""
    transfer = decidable(session, caller, transfer_id)
    child = lifecycle_queries.child_for_update(session=session, child_id=transfer.child_id)
    assert child is not None
    # A file closed since it was offered stays put; one asked for by the child's new village
    # may be closed ("moved away"), and opens again there.
    closed_offer = child.closed and transfer.direction == PUSH
    if accept and (closed_offer or child.village_code != transfer.from_village):
        raise UserError(N_("lifecycle.error.transfer_stale"))
    transfer.state = ACCEPTED if accept else DECLINED
    transfer.decided_by, transfer.decided_at = caller.staff_id, now
    if accept:
        # Its due dates move with the row: the new village's reminders pick them up as they are.
        child.village_code = transfer.to_village
        child.updated_at = now
        if child.closed:
            child.closed, child.closed_reason, child.closed_on = False, None, None
            refresh_due_dates(child, today)
    record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="child.transfer_accepted" if accept else "child.transfer_declined",
        table="child",
        record_id=child.id,
        old={"village": transfer.from_village},
        new={"transfer": transfer.id, "village": child.village_code, "reason": reason},
        at=now,
    )
    _tell_both_sides(session, transfer, child, reason if not accept else None, now)
    return transfer, child
