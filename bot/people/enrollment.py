"""Binding a Telegram account to an invited staff record, and recognising it afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.people.access import Caller, caller_from_staff
from bot.people.staff import hash_invite_code
from storage import queries
from storage.models import Staff, StartThrottle

if TYPE_CHECKING:
    from bot.care.escalations import EscalationPolicy

FAILURE_WINDOW = timedelta(hours=1)


class RedeemStatus(StrEnum):
    ENROLLED = "enrolled"
    ALREADY_ENROLLED = "already_enrolled"
    INVALID = "invalid"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class ThrottlePolicy:
    attempts_allowed: int = 5
    lockout: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Redemption:
    status: RedeemStatus
    staff: Staff | None = None
    retry_after: timedelta | None = None


def _throttle_row(session: Session, telegram_user_id: int, now: datetime) -> StartThrottle:
    row = queries.start_throttle_of(session=session, telegram_user_id=telegram_user_id)
    if row is None:
        row = StartThrottle(telegram_user_id=telegram_user_id, failures=0, window_started_at=now)
        queries.insert_start_throttle(session=session, throttle=row)
    return row


def _register_failure(
    session: Session, telegram_user_id: int, now: datetime, policy: ThrottlePolicy
) -> timedelta | None:
    """Count a wrong code; return the lockout when this one used up the attempts."""
    row = _throttle_row(session, telegram_user_id, now)
    if now - row.window_started_at > FAILURE_WINDOW:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    if row.failures >= policy.attempts_allowed:
        row.locked_until = now + policy.lockout
        row.failures, row.window_started_at = 0, now
        return policy.lockout
    return None


def redeem_invite(
    *,
    session: Session,
    code: str,
    telegram_user_id: int,
    locale: str,
    now: datetime,
    policy: ThrottlePolicy,
) -> Redemption:
    """Use a one-time code; wrong codes count towards a lockout that is committed either way."""
    current = queries.staff_by_telegram_id(session=session, telegram_user_id=telegram_user_id)
    if current is not None and current.active:
        return Redemption(RedeemStatus.ALREADY_ENROLLED, staff=current)
    throttle = queries.start_throttle_of(session=session, telegram_user_id=telegram_user_id)
    if throttle is not None and throttle.locked_until and throttle.locked_until > now:
        return Redemption(RedeemStatus.THROTTLED, retry_after=throttle.locked_until - now)
    invite = queries.invite_by_hash(session=session, code_hash=hash_invite_code(code.strip()))
    staff = queries.get_staff(session=session, staff_id=invite.staff_id) if invite else None
    if (
        invite is None
        or staff is None
        or invite.used_at
        or invite.expires_at <= now
        or not (staff.active)
    ):
        lockout = _register_failure(session, telegram_user_id, now, policy)
        if lockout is not None:
            return Redemption(RedeemStatus.THROTTLED, retry_after=lockout)
        return Redemption(RedeemStatus.INVALID)
    if current is not None:
        # A revoked record keeps its history in the audit log; the account moves to the new one.
        record_audit(
            session=session,
            actor=Actor.cli(),
            action="staff.unbind",
            table="staff",
            record_id=current.id,
            old={"telegram_user_id": "bound"},
            new=None,
            at=now,
        )
        queries.unbind_telegram_account(session=session, staff=current)
    invite.used_at = now
    invite.used_by_telegram_id = telegram_user_id
    staff.telegram_user_id = telegram_user_id
    staff.enrolled_at = now
    staff.locale = staff.locale or locale
    if throttle is not None:
        queries.delete_start_throttle(session=session, throttle=throttle)
    assert staff.id is not None
    record_audit(
        session=session,
        actor=Actor.staff(staff.id),
        action="staff.enroll",
        table="staff",
        record_id=staff.id,
        new={"enrolled": True},
        at=now,
    )
    return Redemption(RedeemStatus.ENROLLED, staff=staff)


def set_locale(*, session: Session, staff_id: int, locale: str, now: datetime) -> Staff | None:
    """Store a staff member's chosen language."""
    staff = queries.get_staff(session=session, staff_id=staff_id)
    if staff is None:
        return None
    old = staff.locale
    staff.locale = locale
    record_audit(
        session=session,
        actor=Actor.staff(staff_id),
        action="staff.locale",
        table="staff",
        record_id=staff_id,
        old={"locale": old},
        new={"locale": locale},
        at=now,
    )
    return staff


@dataclass(frozen=True)
class EnrollOutcome:
    """What /start with a code led to, in the terms the chat reply needs."""

    status: RedeemStatus
    caller: Caller | None
    retry_minutes: int


def enroll(
    *,
    session: Session,
    code: str,
    telegram_user_id: int,
    locale: str,
    now: datetime,
    policy: ThrottlePolicy,
    escalation: EscalationPolicy | None = None,
) -> EnrollOutcome:
    """Redeem a code and describe the result for the reply."""
    result = redeem_invite(
        session=session,
        code=code,
        telegram_user_id=telegram_user_id,
        locale=locale,
        now=now,
        policy=policy,
    )
    if result.status is RedeemStatus.ENROLLED and result.staff and result.staff.id is not None:
        # Reports nobody could receive go first to a supervisor or admin of their area.
        from bot.care.escalations import EscalationPolicy as Policy
        from bot.care.escalations import show_unrouted

        show_unrouted(
            session=session, staff_id=result.staff.id, now=now, policy=escalation or Policy()
        )
    caller = caller_from_staff(session=session, staff=result.staff) if result.staff else None
    minutes = 0
    if result.retry_after is not None:
        minutes = int(result.retry_after.total_seconds() // 60) + 1
    return EnrollOutcome(result.status, caller, minutes)
