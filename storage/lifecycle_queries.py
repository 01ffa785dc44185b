"""Queries of a file's life: closed files, reviews, transfers, children past their age limit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, func, or_, select

from storage.child_models import Child
from storage.lifecycle_models import PENDING, ChildTransfer
from storage.models import OrgLevel, OrgUnit


def child_for_update(*, session: Session, child_id: int) -> Child | None:
    """A child's row, locked: two supervisors or two directors never change it at once."""
    statement = select(Child).where(col(Child.id) == child_id).with_for_update()
    return session.exec(statement).first()


def closed_in_area(
    *, session: Session, area_prefix: str, offset: int = 0, limit: int = 10
) -> tuple[Sequence[Child], int]:
    """One page of the area's closed files, by name, and how many there are in all."""
    where = (col(Child.village_code).startswith(area_prefix), col(Child.closed).is_(True))
    total = session.exec(select(func.count()).select_from(Child).where(*where)).one()
    page = session.exec(
        select(Child)
        .where(*where)
        .order_by(col(Child.name), col(Child.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return page, int(total)


def review_counts(*, session: Session, area_prefix: str) -> dict[str, int]:
    """Open files of an area waiting for the supervisor's review, or returned, by state."""
    statement = (
        select(col(Child.review_state), func.count())
        .where(
            col(Child.village_code).startswith(area_prefix),
            col(Child.closed).is_(False),
            col(Child.review_state).is_not(None),
        )
        .group_by(col(Child.review_state))
    )
    return {str(state): int(count) for state, count in session.exec(statement).all()}


def closed_counts(*, session: Session, area_prefix: str) -> dict[str, int]:
    """Closed files of an area by the reason they were closed."""
    statement = (
        select(col(Child.closed_reason), func.count())
        .where(col(Child.village_code).startswith(area_prefix), col(Child.closed).is_(True))
        .group_by(col(Child.closed_reason))
    )
    return {str(reason or ""): int(count) for reason, count in session.exec(statement).all()}


def aged_children(
    *,
    session: Session,
    limits: dict[str, date],
    after_id: int = 0,
    limit: int = 500,
) -> Sequence[Child]:
    """Open files whose child was born on or before their category's date in `limits` (the
    day they reached its age limit), not yet prompted for that category; a page by id."""
    reached = [
        (col(Child.category) == category) & (col(Child.birth_date) <= born_by)
        for category, born_by in limits.items()
    ]
    statement = (
        select(Child)
        .where(
            col(Child.id) > after_id,
            col(Child.closed).is_(False),
            or_(*reached),
            or_(
                col(Child.age_prompted_for).is_(None),
                col(Child.age_prompted_for) != col(Child.category),
            ),
        )
        .order_by(col(Child.id))
        .limit(limit)
    )
    return session.exec(statement).all()


def pending_transfer_of(*, session: Session, child_id: int) -> ChildTransfer | None:
    statement = select(ChildTransfer).where(
        col(ChildTransfer.child_id) == child_id, col(ChildTransfer.state) == PENDING
    )
    return session.exec(statement).first()


def transfer_for_update(*, session: Session, transfer_id: int) -> ChildTransfer | None:
    statement = select(ChildTransfer).where(col(ChildTransfer.id) == transfer_id).with_for_update()
    return session.exec(statement).first()


def transfers_of(*, session: Session, child_id: int) -> Sequence[ChildTransfer]:
    """A child's transfers, oldest first: the card's record of where the file has been."""
    statement = (
        select(ChildTransfer)
        .where(col(ChildTransfer.child_id) == child_id)
        .order_by(col(ChildTransfer.id))
    )
    return session.exec(statement).all()


def add_transfer(*, session: Session, transfer: ChildTransfer) -> ChildTransfer:
    session.add(transfer)
    session.flush()
    return transfer


def villages_matching(*, session: Session, text: str, limit: int = 6) -> Sequence[OrgUnit]:
    """Villages whose code is `text`, or whose name contains it, anywhere in the database."""
    statement = (
        select(OrgUnit)
        .where(
            col(OrgUnit.level) == OrgLevel.VILLAGE.value,
            (col(OrgUnit.code) == text) | col(OrgUnit.name).contains(text),
        )
        .order_by(col(OrgUnit.code))
        .limit(limit)
    )
    return session.exec(statement).all()


def unqualified_children(*, session: Session, after_id: int, limit: int = 500) -> Sequence[Child]:
    """Open files whose recorded facts no longer qualify, a page at a time by id."""
    return session.exec(
        select(Child)
        .where(
            col(Child.unqualified_since).is_not(None),
            col(Child.closed).is_(False),
            col(Child.id) > after_id,
        )
        .order_by(col(Child.id))
        .limit(limit)
    ).all()
