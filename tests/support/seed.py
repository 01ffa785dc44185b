"""A small region tree and staff for tests: one county with two townships."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.audit import Actor
from bot.people.orgs import OrgInput, add_org
from bot.people.staff import InviteRequest, IssuedInvite, invite_staff
from storage.db import Database

PROVINCE, CITY, COUNTY = "350000", "350100", "350121"
TOWNSHIP, OTHER_TOWNSHIP = "350121100", "350121101"
VILLAGE, NEIGHBOUR_VILLAGE, OTHER_VILLAGE = "350121100201", "350121100202", "350121101201"
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)

REGION = [
    OrgInput(PROVINCE, "福建省", "province"),
    OrgInput(CITY, "福州市", "city", PROVINCE),
    OrgInput(COUNTY, "闽侯县", "county", CITY),
    OrgInput(TOWNSHIP, "白沙镇", "township", COUNTY),
    OrgInput(OTHER_TOWNSHIP, "南屿镇", "township", COUNTY),
    OrgInput(VILLAGE, "溪头村", "village", TOWNSHIP),
    OrgInput(NEIGHBOUR_VILLAGE, "上洋村", "village", TOWNSHIP),
    OrgInput(OTHER_VILLAGE, "南井村", "village", OTHER_TOWNSHIP),
]


def seed_region(db: Database) -> None:
    def work(session: object) -> None:
        for row in REGION:
            add_org(session=session, data=row, actor=Actor.cli())  # type: ignore[arg-type]

    db.call(work)


def invite(
    db: Database,
    role: str,
    org: str,
    name: str = "王芳",
    phone: str | None = "13812345678",
    now: datetime = NOW,
) -> IssuedInvite:
    request = InviteRequest(role=role, org_code=org, name=name, phone=phone)
    return db.call(
        lambda s: invite_staff(
            session=s, request=request, actor=Actor.cli(), now=now, lifetime=timedelta(days=7)
        )
    )


def enrol_caller(db: Database, role: str, org: str, user: int, locale: str = "zh_Hans"):  # type: ignore[no-untyped-def]
    """Invite a staff member and redeem the code as Telegram user `user`; return the Caller."""
    from bot.people.access import identify
    from bot.people.enrollment import ThrottlePolicy, redeem_invite

    issued = invite(db, role, org)
    db.call(
        lambda s: redeem_invite(
            session=s,
            code=issued.code,
            telegram_user_id=user,
            locale=locale,
            now=NOW,
            policy=ThrottlePolicy(),
        )
    )
    caller = db.call(lambda s: identify(session=s, telegram_user_id=user)).caller
    assert caller is not None
    return caller
