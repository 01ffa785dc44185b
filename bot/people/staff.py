"""Staff records and one-time invites, as the county office manages them."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.errors import UserError
from bot.i18n import N_
from bot.people.orgs import area_prefix_of, level_allows_role
from bot.people.roles import ROLE_LEVELS
from bot.personal import parse_cn_phone
from storage import queries
from storage.models import Invite, OrgLevel, Role, Staff

if TYPE_CHECKING:
    from bot.care.escalations import EscalationPolicy

INVITE_BYTES = 12  # 96 bits of entropy; 16 URL-safe characters fit a /start payload


def hash_invite_code(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def new_invite_code() -> str:
    return secrets.token_urlsafe(INVITE_BYTES)


@dataclass(frozen=True)
class InviteRequest:
    role: str
    org_code: str
    name: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class IssuedInvite:
    staff: Staff
    code: str
    expires_at: datetime


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise UserError(N_("staff.error.role"), value=value, roles=", ".join(Role)) from None


def invite_staff(
    *, session: Session, request: InviteRequest, actor: Actor, now: datetime, lifetime: timedelta
) -> IssuedInvite:
    """Create a staff record and its one-time invite; only the code's hash is stored."""
    role = parse_role(request.role)
    org = queries.get_org(session=session, code=request.org_code.strip())
    if org is None:
        raise UserError(N_("org.error.unknown"), code=request.org_code)
    if not level_allows_role(OrgLevel(org.level), role):
        levels = ", ".join(sorted(ROLE_LEVELS[role]))
        raise UserError(N_("staff.error.level"), role=role, code=org.code, levels=levels)
    phone = None
    if request.phone:
        try:
            phone = parse_cn_phone(request.phone)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    name = (request.name or "").strip() or None
    if name is not None and len(name) > 100:
        raise UserError(N_("staff.error.name"))
    staff = Staff(role=role.value, org_code=org.code, name=name, phone=phone, created_at=now)
    queries.insert_staff(session=session, staff=staff)
    assert staff.id is not None
    code = new_invite_code()
    expires_at = now + lifetime
    invite = Invite(
        code_hash=hash_invite_code(code), staff_id=staff.id, created_at=now, expires_at=expires_at
    )
    queries.insert_invite(session=session, invite=invite)
    record_audit(
        session=session,
        actor=actor,
        action="staff.invite",
        table="staff",
        record_id=staff.id,
        new={"role": role.value, "org": org.code},
        at=now,
    )
    return IssuedInvite(staff=staff, code=code, expires_at=expires_at)


def revoke_staff(
    *,
    session: Session,
    staff_id: int,
    actor: Actor,
    now: datetime,
    escalation: EscalationPolicy | None = None,
) -> Staff:
    """Withdraw a staff member's access and void their unused invites; the reports they had
    acknowledged go back to their level (`escalation` sets the times; the defaults otherwise)."""
    staff = queries.get_staff(session=session, staff_id=staff_id)
    if staff is None:
        raise UserError(N_("staff.error.unknown"), id=staff_id)
    if not staff.active:
        raise UserError(N_("staff.error.already_revoked"), id=staff_id)
    staff.active = False
    staff.revoked_at = now
    for invite in queries.open_invites_for(session=session, staff_id=staff_id):
        invite.expires_at = min(invite.expires_at, now)
    record_audit(
        session=session,
        actor=actor,
        action="staff.revoke",
        table="staff",
        record_id=staff_id,
        old={"active": True},
        new={"active": False},
        at=now,
    )
    # Reports they acknowledged and had not resolved go back to their level at once.
    from bot.care.escalations import EscalationPolicy as Policy
    from bot.care.escalations import release_owned

    release_owned(session=session, staff_id=staff_id, now=now, policy=escalation or Policy())
    return staff


def list_staff(*, session: Session, org_code: str | None) -> list[Staff]:
    """Return the staff in an area (everyone when no org is given)."""
    prefix = area_prefix_of(session=session, code=org_code)
    return list(queries.staff_in_area(session=session, area_prefix=prefix))
