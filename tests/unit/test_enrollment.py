"""Invites and enrollment: one-time hashed codes, expiry, role levels, throttling, revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.audit import Actor
from bot.errors import UserError
from bot.people.access import identify
from bot.people.enrollment import RedeemStatus, Redemption, ThrottlePolicy, redeem_invite
from bot.people.staff import hash_invite_code, revoke_staff
from storage.db import Database
from storage.models import AuditEntry, Invite
from tests.support.seed import NOW, TOWNSHIP, VILLAGE, invite, seed_region

POLICY = ThrottlePolicy(attempts_allowed=3, lockout=timedelta(minutes=15))


def _redeem(db: Database, code: str, user: int = 501, at: timedelta = timedelta()) -> Redemption:
    return db.call(
        lambda s: redeem_invite(
            session=s,
            code=code,
            telegram_user_id=user,
            locale="zh_Hans",
            now=NOW + at,
            policy=POLICY,
        )
    )


@pytest.fixture
def region(db: Database) -> Database:
    seed_region(db)
    return db


def test_invite__code_stored_only_as_hash_with_96_bits(region: Database) -> None:
    issued = invite(region, "director", VILLAGE)
    stored = region.call(lambda s: s.exec(select(Invite)).one())
    assert len(issued.code) >= 16  # 12 random bytes, URL-safe
    assert stored.code_hash == hash_invite_code(issued.code)
    assert issued.code not in stored.code_hash
    assert stored.expires_at == NOW + timedelta(days=7)


@pytest.mark.parametrize(
    ("role", "org", "key"),
    [
        ("director", TOWNSHIP, "staff.error.level"),
        ("supervisor", VILLAGE, "staff.error.level"),
        ("admin", TOWNSHIP, "staff.error.level"),
        ("janitor", VILLAGE, "staff.error.role"),
        ("director", "350121100299", "org.error.unknown"),
    ],
)
def test_invite__wrong_role_or_org__refused(
    region: Database, role: str, org: str, key: str
) -> None:
    with pytest.raises(UserError) as caught:
        invite(region, role, org)
    assert caught.value.key == key


def test_invite__bad_phone__refused(region: Database) -> None:
    with pytest.raises(UserError) as caught:
        invite(region, "director", VILLAGE, phone="12345")
    assert caught.value.key == "error.phone.invalid"


def test_redeem__valid_code__binds_account_once(region: Database) -> None:
    issued = invite(region, "director", VILLAGE)
    first = _redeem(region, issued.code)
    assert first.status is RedeemStatus.ENROLLED
    second = _redeem(region, issued.code, user=777)
    assert second.status is RedeemStatus.INVALID
    identity = region.call(lambda s: identify(session=s, telegram_user_id=501))
    assert identity.caller is not None and identity.caller.org_code == VILLAGE


def test_redeem__expired_code__refused(region: Database) -> None:
    issued = invite(region, "director", VILLAGE)
    result = _redeem(region, issued.code, at=timedelta(days=7, seconds=1))
    assert result.status is RedeemStatus.INVALID


def test_redeem__repeated_wrong_codes__locked_out_then_allowed_again(region: Database) -> None:
    issued = invite(region, "director", VILLAGE)
    for _ in range(2):
        assert _redeem(region, "wrong-code").status is RedeemStatus.INVALID
    assert _redeem(region, "wrong-code").status is RedeemStatus.THROTTLED
    locked = _redeem(region, issued.code)
    assert locked.status is RedeemStatus.THROTTLED
    later = _redeem(region, issued.code, at=timedelta(minutes=16))
    assert later.status is RedeemStatus.ENROLLED


def test_revoke__staff_loses_identity_and_unused_invites(region: Database) -> None:
    issued = invite(region, "director", VILLAGE)
    _redeem(region, issued.code)
    staff_id = issued.staff.id
    assert staff_id is not None
    region.call(lambda s: revoke_staff(session=s, staff_id=staff_id, actor=Actor.cli(), now=NOW))
    identity = region.call(lambda s: identify(session=s, telegram_user_id=501))
    assert identity.caller is None and identity.revoked
    actions = region.call(lambda s: [a.action for a in s.exec(select(AuditEntry)).all()])
    assert {"staff.invite", "staff.enroll", "staff.revoke"} <= set(actions)


def test_revoke__unused_invite__cannot_be_redeemed(region: Database) -> None:
    issued = invite(region, "director", VILLAGE)
    staff_id = issued.staff.id
    assert staff_id is not None
    region.call(lambda s: revoke_staff(session=s, staff_id=staff_id, actor=Actor.cli(), now=NOW))
    assert _redeem(region, issued.code).status is RedeemStatus.INVALID


def test_reinvite_after_revocation__same_account_enrols_again(region: Database) -> None:
    first = invite(region, "director", VILLAGE)
    _redeem(region, first.code)
    staff_id = first.staff.id
    assert staff_id is not None
    region.call(lambda s: revoke_staff(session=s, staff_id=staff_id, actor=Actor.cli(), now=NOW))
    second = invite(region, "director", VILLAGE)
    assert _redeem(region, second.code).status is RedeemStatus.ENROLLED
