"""Help given to a child and the director's work log: who may write them, and storing them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.errors import AccessDenied, UserError
from bot.forms.binding import bound_fields, column_values
from bot.forms.care_log import HELP, WORK_LOG
from bot.i18n import N_
from bot.people.access import Caller
from bot.people.roles import Action, may
from storage import care_log_queries, child_queries
from storage.care_log_models import HelpGiven, WorkLogEntry

HELP_COLUMNS = bound_fields(HELP, "help_given")
WORK_LOG_COLUMNS = bound_fields(WORK_LOG, "work_log")


def _own_child(session: Session, caller: Caller, child_id: int) -> Any:
    child = child_queries.child_by_id(session=session, child_id=child_id)
    if (
        child is None
        or not may(caller.role, Action.KEEP_FILES)
        or child.village_code != caller.org_code
    ):
        raise AccessDenied(N_("children.error.not_found"), table="child", record_id=child_id)
    return child


def help_context(*, session: Session, caller: Caller, child_id: int) -> dict[str, Any]:
    """The answers the help form starts with, for a child of the caller's own village."""
    child = _own_child(session, caller, child_id)
    return {"_child": child.id, "_child_name": child.name}


def save_help(
    *, session: Session, caller: Caller, answers: dict[str, Any], now: datetime
) -> HelpGiven:
    """Store help given to a child, audited."""
    child = _own_child(session, caller, int(answers["_child"]))
    row = HelpGiven.model_validate(
        {
            **column_values(HELP_COLUMNS, answers),
            "child_id": child.id,
            "author_id": caller.staff_id,
            "created_at": now,
        }
    )
    session.add(row)
    session.flush()
    record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="help.create",
        table="help_given",
        record_id=row.id,
        new={"child": child.id, "kind": row.kind},
        at=now,
    )
    return row


def work_log_context(*, session: Session, caller: Caller) -> dict[str, Any]:
    """The answers the work log starts with: the village's children to pick from."""
    if not may(caller.role, Action.KEEP_FILES):
        raise UserError(N_("children.error.not_director"))
    picks = care_log_queries.village_children(session=session, village_code=caller.org_code)
    return {"_children": [[child_id, name] for child_id, name in picks]}


def save_work_log(
    *, session: Session, caller: Caller, answers: dict[str, Any], now: datetime
) -> WorkLogEntry:
    """Store a work-log entry for the caller's village; children named must be of it."""
    if not may(caller.role, Action.KEEP_FILES):
        raise UserError(N_("children.error.not_director"))
    offered = {str(child_id) for child_id, _ in answers.get("_children") or []}
    picked = [v for v in answers.get("children") or [] if v != "none"]
    if any(v not in offered for v in picked):
        raise UserError(N_("worklog.error.not_offered"))
    entry = WorkLogEntry.model_validate(
        {
            **column_values(WORK_LOG_COLUMNS, answers),
            "village_code": caller.org_code,
            "author_id": caller.staff_id,
            "created_at": now,
        }
    )
    care_log_queries.add_work_log(session=session, entry=entry, child_ids=[int(v) for v in picked])
    record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="worklog.create",
        table="work_log",
        record_id=entry.id,
        new={"children": len(picked)},
        at=now,
    )
    return entry
