"""Who is talking to the bot, and the area their role lets them see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.people.orgs import area_prefix, prefix_of
from bot.people.roles import Role
from storage import queries
from storage.models import Staff


@dataclass(frozen=True)
class Caller:
    """An enrolled, active staff member, with the code prefix of the area they may see."""

    staff_id: int
    role: Role
    org_code: str
    area_prefix: str
    locale: str | None
    name: str | None

    def sees(self, org_code: str) -> bool:
        """Tell whether a unit lies inside this caller's area."""
        return org_code.startswith(self.area_prefix)


@dataclass(frozen=True)
class Identity:
    """What the bot knows of a Telegram account: an active caller, a revoked one, or nobody."""

    caller: Caller | None
    revoked: bool = False
    locale: str | None = None


def caller_from_staff(*, session: Session, staff: Staff) -> Caller:
    org = queries.get_org(session=session, code=staff.org_code)
    assert org is not None and staff.id is not None
    return Caller(
        staff_id=staff.id,
        role=Role(staff.role),
        org_code=staff.org_code,
        area_prefix=area_prefix(org),
        locale=staff.locale,
        name=staff.name,
    )


def identify(*, session: Session, telegram_user_id: int) -> Identity:
    """Look up the Telegram account; a revoked record gives no caller."""
    # Every update starts here, so it is one indexed query with no ORM objects.
    found = queries.acting_identity_by_telegram_id(
        session=session, telegram_user_id=telegram_user_id
    )
    if found is None:
        return Identity(caller=None)
    staff, acting_id = found
    if acting_id is None or not staff.active:
        return identity_of(staff)
    # In practice mode (bot/practice/): the person acts as a staff row of their practice area,
    # in their own language and name; a revoked account is revoked there too.
    acting = queries.identity_by_staff_id(session=session, staff_id=acting_id)
    if acting is None:
        return identity_of(staff)
    return identity_of(acting._replace(locale=staff.locale, name=staff.name, active=True))


def identity_of(found: queries.StaffIdentity | None) -> Identity:
    """Turn a sender's staff record (None for a stranger) into who they are to the bot."""
    if found is None:
        return Identity(caller=None)
    if not found.active:
        return Identity(caller=None, revoked=True, locale=found.locale)
    caller = Caller(
        staff_id=found.staff_id,
        role=Role(found.role),
        org_code=found.org_code,
        area_prefix=prefix_of(found.org_code, found.org_level),
        locale=found.locale,
        name=found.name,
    )
    return Identity(caller=caller, locale=found.locale)
