"""Roles, what each may do where, and who is told at each level (village → … → province).

Both tables are data: a new role, action or receiving level is a row here, not an `if` in the
code that checks or routes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import NamedTuple, TypeVar

from storage.models import OrgLevel, Role

__all__ = [
    "LADDER",
    "PERMISSIONS",
    "RECEIVER_AT",
    "ROLE_LEVELS",
    "Action",
    "Role",
    "Rung",
    "Scope",
    "first_staffed",
    "ladder_above",
    "may",
    "roles_that_may",
    "scope_of",
]


class Action(StrEnum):
    """What someone may do in the bot."""

    KEEP_FILES = "keep_files"  # open and edit child files
    REPORT_VISITS = "report_visits"  # section 4: directors and supervisors both visit
    REPORT_URGENT = "report_urgent"  # section 6: an urgent report at any time, filed or not
    LIST_DUE = "list_due"  # the visits due within a week, with "report a visit" buttons
    LIST_OVERDUE = "list_overdue"  # the children whose visits are overdue
    HANDLE_ESCALATIONS = "handle_escalations"  # acknowledge, resolve, ask the director
    RECORD_TRAINING = "record_training"  # tick who attended a training (section 17)
    # Go through the spot check's sampled files; a supervisor also needs to be assigned to it.
    CHECK_FILES = "check_files"
    FOLLOW_TASKS = "follow_tasks"  # see and finish the tasks a spot check gave the village
    EXPORT = "export"  # the ledger as Excel files: one child's, or an area's roll-up
    EXPORT_FULL_NUMBERS = "export_full_numbers"  # ID numbers and phones unmasked in an export
    CLOSE_FILES = "close_files"  # close and reopen a file, with a reason
    TRANSFER_FILES = "transfer_files"  # send a file to another village, or ask for one
    REVIEW_FILES = "review_files"  # approve a new or changed file, or return it with a note
    # Accept or decline a file coming in: the village's director, or above it when it has none.
    DECIDE_TRANSFERS = "decide_transfers"
    VIEW_STATS = "view_stats"  # the statistics screen, its chart, and the monthly roll-up
    IMPORT_LEDGER = "import_ledger"  # bring a county's existing ledger in (a workbook)


class Scope(StrEnum):
    """Where an action applies."""

    OWN_UNIT = "own_unit"  # the unit the person belongs to (a director's village)
    AREA = "area"  # every unit under the person's own


PERMISSIONS: dict[tuple[Role, Action], Scope] = {
    (Role.DIRECTOR, Action.KEEP_FILES): Scope.OWN_UNIT,
    (Role.DIRECTOR, Action.REPORT_VISITS): Scope.OWN_UNIT,
    (Role.DIRECTOR, Action.LIST_DUE): Scope.OWN_UNIT,
    (Role.DIRECTOR, Action.REPORT_URGENT): Scope.OWN_UNIT,
    (Role.SUPERVISOR, Action.REPORT_VISITS): Scope.AREA,
    (Role.SUPERVISOR, Action.REPORT_URGENT): Scope.AREA,
    (Role.SUPERVISOR, Action.LIST_OVERDUE): Scope.AREA,
    (Role.SUPERVISOR, Action.HANDLE_ESCALATIONS): Scope.AREA,
    (Role.ADMIN, Action.LIST_OVERDUE): Scope.AREA,
    (Role.ADMIN, Action.HANDLE_ESCALATIONS): Scope.AREA,
    (Role.ADMIN, Action.RECORD_TRAINING): Scope.AREA,
    (Role.ADMIN, Action.CHECK_FILES): Scope.AREA,
    (Role.SUPERVISOR, Action.CHECK_FILES): Scope.AREA,
    (Role.DIRECTOR, Action.FOLLOW_TASKS): Scope.OWN_UNIT,
    (Role.DIRECTOR, Action.EXPORT): Scope.OWN_UNIT,
    (Role.SUPERVISOR, Action.EXPORT): Scope.AREA,
    (Role.ADMIN, Action.EXPORT): Scope.AREA,
    # The county enters full numbers into the national system; everyone else sees them masked.
    (Role.ADMIN, Action.EXPORT_FULL_NUMBERS): Scope.AREA,
    (Role.DIRECTOR, Action.CLOSE_FILES): Scope.OWN_UNIT,
    (Role.DIRECTOR, Action.TRANSFER_FILES): Scope.OWN_UNIT,
    (Role.DIRECTOR, Action.DECIDE_TRANSFERS): Scope.OWN_UNIT,
    (Role.SUPERVISOR, Action.DECIDE_TRANSFERS): Scope.AREA,
    (Role.ADMIN, Action.DECIDE_TRANSFERS): Scope.AREA,
    (Role.SUPERVISOR, Action.REVIEW_FILES): Scope.AREA,
    (Role.ADMIN, Action.REVIEW_FILES): Scope.AREA,
    (Role.SUPERVISOR, Action.VIEW_STATS): Scope.AREA,
    (Role.ADMIN, Action.VIEW_STATS): Scope.AREA,
    (Role.ADMIN, Action.IMPORT_LEDGER): Scope.AREA,
}


def may(role: Role | str, action: Action) -> bool:
    """Tell whether a role may take an action at all (where is `scope_of`)."""
    return (Role(role), action) in PERMISSIONS


def scope_of(role: Role | str, action: Action) -> Scope | None:
    """Where a role may take an action, or None when it may not."""
    return PERMISSIONS.get((Role(role), action))


def roles_that_may(action: Action) -> frozenset[Role]:
    """Every role the table lets take an action (somewhere)."""
    return frozenset(role for role, act in PERMISSIONS if act == action)


# Where each role sits in the org tree (the levels it can be appointed at).
ROLE_LEVELS: dict[Role, set[OrgLevel]] = {
    Role.DIRECTOR: {OrgLevel.VILLAGE},
    Role.SUPERVISOR: {OrgLevel.TOWNSHIP},
    Role.ADMIN: {OrgLevel.COUNTY, OrgLevel.CITY, OrgLevel.PROVINCE},
}


# The routing ladder, bottom up, and which role receives reports at each rung.
LADDER: tuple[OrgLevel, ...] = (
    OrgLevel.VILLAGE,
    OrgLevel.TOWNSHIP,
    OrgLevel.COUNTY,
    OrgLevel.CITY,
    OrgLevel.PROVINCE,
)
RECEIVER_AT: dict[OrgLevel, Role] = {
    OrgLevel.TOWNSHIP: Role.SUPERVISOR,
    OrgLevel.COUNTY: Role.ADMIN,
    OrgLevel.CITY: Role.ADMIN,
    OrgLevel.PROVINCE: Role.ADMIN,
}


class Rung(NamedTuple):
    """One step of the ladder above a village: a unit and the role that receives there."""

    level: str
    org_code: str
    role: Role


def ladder_above(chain: Sequence[tuple[str, str]], *, from_level: str = "") -> list[Rung]:
    """The receiving rungs of a unit's chain of (code, level), nearest first, from a level up.

    `chain` runs from the unit itself upward, as the org tree gives it; `from_level` ("" for
    all) drops the rungs below that level.
    """
    start = LADDER.index(OrgLevel(from_level)) if from_level else 0
    rungs = []
    for code, level in chain:
        if level in RECEIVER_AT and LADDER.index(OrgLevel(level)) >= start:
            rungs.append(Rung(level, code, RECEIVER_AT[OrgLevel(level)]))
    return rungs


T = TypeVar("T")


def first_staffed(
    rungs: Sequence[Rung], people_at: Callable[[Rung], list[T]]
) -> tuple[Rung, list[T]] | None:
    """The nearest rung where anyone can receive, with them; None when the ladder is empty."""
    for rung in rungs:
        people = people_at(rung)
        if people:
            return rung, people
    return None
