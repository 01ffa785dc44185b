"""Queries over org units, staff, invites and app metadata; the rules live in bot/people.

The ones that return people's data take the caller's area prefix and filter by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import bindparam, case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import AppMeta, Invite, OrgUnit, Staff, StartThrottle
from storage.practice_models import PracticeRound


def get_org(*, session: Session, code: str) -> OrgUnit | None:
    return session.get(OrgUnit, code)


def list_orgs(*, session: Session, prefix: str = "") -> Sequence[OrgUnit]:
    """Return the units whose code starts with `prefix`, ordered by code."""
    statement = select(OrgUnit).order_by(col(OrgUnit.code))
    if prefix:
        statement = statement.where(col(OrgUnit.code).startswith(prefix))
    return session.exec(statement).all()


def insert_org(*, session: Session, org: OrgUnit) -> OrgUnit:
    """Add a unit and flush, so a clash with an existing code fails here."""
    session.add(org)
    session.flush()
    return org


def get_staff(*, session: Session, staff_id: int) -> Staff | None:
    return session.get(Staff, staff_id)


def staff_by_telegram_id(*, session: Session, telegram_user_id: int) -> Staff | None:
    statement = select(Staff).where(Staff.telegram_user_id == telegram_user_id)
    return session.exec(statement).first()


class StaffIdentity(NamedTuple):
    """The columns every update needs to know its sender, read in one query."""

    staff_id: int
    role: str
    org_code: str
    org_level: str
    active: bool
    locale: str | None
    name: str | None


# What a sender's identity is read from; a form press reads the same beside its draft.
IDENTITY_COLUMNS = (
    col(Staff.id),
    col(Staff.role),
    col(Staff.org_code),
    col(OrgUnit.level),
    col(Staff.active),
    col(Staff.locale),
    col(Staff.name),
)
# Built once: every update runs it, and a reused statement skips rebuilding its cache key.
_IDENTITY = (
    sa_select(*IDENTITY_COLUMNS)
    .join(OrgUnit, col(OrgUnit.code) == col(Staff.org_code))
    .where(col(Staff.telegram_user_id) == bindparam("telegram_user_id"))
)


# The same, with the staff row the account acts as while in practice mode (None outside it):
# one outer join on a unique column, so the update's one query stays one query.
_ACTING = case(
    (col(PracticeRound.acting) == "supervisor", col(PracticeRound.supervisor_id)),
    else_=col(PracticeRound.director_id),
)
_IDENTITY_ACTING = (
    sa_select(*IDENTITY_COLUMNS, _ACTING)
    .join(OrgUnit, col(OrgUnit.code) == col(Staff.org_code))
    .outerjoin(
        PracticeRound,
        (col(PracticeRound.real_staff_id) == col(Staff.id)) & col(PracticeRound.active),
    )
    .where(col(Staff.telegram_user_id) == bindparam("telegram_user_id"))
)
_IDENTITY_BY_ID = (
    sa_select(*IDENTITY_COLUMNS)
    .join(OrgUnit, col(OrgUnit.code) == col(Staff.org_code))
    .where(col(Staff.id) == bindparam("staff_id"))
)


def identity_by_telegram_id(*, session: Session, telegram_user_id: int) -> StaffIdentity | None:
    """Return the staff record of a Telegram account with its unit's level, or None."""
    # On the session's connection: a Core statement needs none of the ORM's execution steps.
    row = session.connection().execute(_IDENTITY, {"telegram_user_id": telegram_user_id}).first()
    return StaffIdentity._make(row) if row is not None else None


def acting_identity_by_telegram_id(
    *, session: Session, telegram_user_id: int
) -> tuple[StaffIdentity, int | None] | None:
    """A Telegram account's staff record, and the practice staff row it acts as (or None)."""
    params = {"telegram_user_id": telegram_user_id}
    row = session.connection().execute(_IDENTITY_ACTING, params).first()
    return (StaffIdentity._make(row[:-1]), row[-1]) if row is not None else None


def identity_by_staff_id(*, session: Session, staff_id: int) -> StaffIdentity | None:
    row = session.connection().execute(_IDENTITY_BY_ID, {"staff_id": staff_id}).first()
    return StaffIdentity._make(row) if row is not None else None


def staff_in_area(*, session: Session, area_prefix: str) -> Sequence[Staff]:
    """Return the staff whose unit lies inside the caller's area."""
    statement = (
        select(Staff)
        .where(col(Staff.org_code).startswith(area_prefix))
        .order_by(col(Staff.org_code), col(Staff.id))
    )
    return session.exec(statement).all()


def insert_staff(*, session: Session, staff: Staff) -> Staff:
    """Add a staff record and flush, so it has its id."""
    session.add(staff)
    session.flush()
    return staff


def unbind_telegram_account(*, session: Session, staff: Staff) -> None:
    """Clear a record's Telegram account and flush, so the unique index lets another take it."""
    staff.telegram_user_id = None
    session.flush()


def insert_invite(*, session: Session, invite: Invite) -> Invite:
    session.add(invite)
    return invite


def invite_by_hash(*, session: Session, code_hash: str) -> Invite | None:
    return session.exec(select(Invite).where(Invite.code_hash == code_hash)).first()


def open_invites_for(*, session: Session, staff_id: int) -> Sequence[Invite]:
    statement = select(Invite).where(Invite.staff_id == staff_id, col(Invite.used_at).is_(None))
    return session.exec(statement).all()


def start_throttle_of(*, session: Session, telegram_user_id: int) -> StartThrottle | None:
    return session.get(StartThrottle, telegram_user_id)


def insert_start_throttle(*, session: Session, throttle: StartThrottle) -> StartThrottle:
    session.add(throttle)
    return throttle


def delete_start_throttle(*, session: Session, throttle: StartThrottle) -> None:
    session.delete(throttle)


def get_meta(*, session: Session, key: str) -> str | None:
    row = session.get(AppMeta, key)
    return row.value if row else None


def set_meta(*, session: Session, key: str, value: str) -> None:
    row = session.get(AppMeta, key)
    if row is None:
        session.add(AppMeta(key=key, value=value))
    else:
        row.value = value
