"""Queries over help given and the work log: by child for the card, by area for exports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from storage.care_log_models import HelpGiven, WorkLogChild, WorkLogEntry
from storage.child_models import Child

CHILDREN_TO_PICK = 40  # buttons under one question; a village has a few dozen at most


def add_work_log(
    *, session: Session, entry: WorkLogEntry, child_ids: Sequence[int]
) -> WorkLogEntry:
    """Store a work-log entry and the children it was for."""
    session.add(entry)
    session.flush()
    assert entry.id is not None
    session.add_all(WorkLogChild(entry_id=entry.id, child_id=c) for c in set(child_ids))
    return entry


def help_of(*, session: Session, child_id: int, limit: int = 5) -> Sequence[HelpGiven]:
    """The child's latest help, newest first."""
    return session.exec(
        select(HelpGiven)
        .where(HelpGiven.child_id == child_id)
        .order_by(col(HelpGiven.given_on).desc(), col(HelpGiven.id).desc())
        .limit(limit)
    ).all()


def work_log_of(*, session: Session, child_id: int, limit: int = 5) -> Sequence[WorkLogEntry]:
    """The latest work-log entries naming the child, newest first."""
    return session.exec(
        select(WorkLogEntry)
        .join(WorkLogChild, col(WorkLogChild.entry_id) == col(WorkLogEntry.id))
        .where(WorkLogChild.child_id == child_id)
        .order_by(col(WorkLogEntry.done_on).desc(), col(WorkLogEntry.id).desc())
        .limit(limit)
    ).all()


def village_children(*, session: Session, village_code: str) -> Sequence[tuple[int, str]]:
    """The open files of a village, by name: (id, name) to offer as buttons."""
    rows = session.exec(
        select(Child.id, Child.name)
        .where(Child.village_code == village_code, col(Child.closed).is_(False))
        .order_by(col(Child.name), col(Child.id))
        .limit(CHILDREN_TO_PICK)
    ).all()
    return [(int(i or 0), n) for i, n in rows]


def help_given_in_area(
    *, session: Session, area_prefix: str, since: date, until: date
) -> Sequence[tuple[HelpGiven, Child]]:
    """Every piece of help given in an area between two days, with its child (for exports)."""
    return session.exec(
        select(HelpGiven, Child)
        .join(Child, col(Child.id) == col(HelpGiven.child_id))
        .where(
            col(Child.village_code).startswith(area_prefix),
            col(HelpGiven.given_on) >= since,
            col(HelpGiven.given_on) <= until,
        )
        .order_by(col(HelpGiven.given_on), col(HelpGiven.id))
    ).all()


def work_log_in_area(
    *, session: Session, area_prefix: str, since: date, until: date
) -> Sequence[tuple[WorkLogEntry, list[int]]]:
    """Every work-log entry of an area between two days, with the children it names."""
    entries = session.exec(
        select(WorkLogEntry)
        .where(
            col(WorkLogEntry.village_code).startswith(area_prefix),
            col(WorkLogEntry.done_on) >= since,
            col(WorkLogEntry.done_on) <= until,
        )
        .order_by(col(WorkLogEntry.done_on), col(WorkLogEntry.id))
    ).all()
    ids = [e.id for e in entries]
    links = session.exec(
        select(WorkLogChild.entry_id, WorkLogChild.child_id).where(
            col(WorkLogChild.entry_id).in_(ids)
        )
    ).all()
    children: dict[int, list[int]] = {}
    for entry_id, child_id in links:
        children.setdefault(entry_id, []).append(child_id)
    return [(e, sorted(children.get(e.id or 0, []))) for e in entries]


def needs_in_area(*, session: Session, area_prefix: str) -> Counter[str]:
    """How many open files in an area name each category of care need (section 8's list)."""
    rows = session.exec(
        select(Child.need_kinds).where(
            col(Child.village_code).startswith(area_prefix), col(Child.closed).is_(False)
        )
    ).all()
    return Counter(kind for kinds in rows for kind in kinds.split(",") if kind and kind != "none")


def child_names(*, session: Session, child_ids: Sequence[int]) -> dict[int, str]:
    """Child id -> name, for the children a work log names."""
    if not child_ids:
        return {}
    rows = session.exec(select(Child.id, Child.name).where(col(Child.id).in_(list(child_ids))))
    return {child_id: name for child_id, name in rows if child_id is not None}
