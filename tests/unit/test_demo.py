"""Synthetic data: the sizes asked for, tiers near 70/20/10, and never into a live database."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlmodel import select

from bot.demo import generate
from bot.errors import UserError
from storage.child_models import Child
from storage.db import Database
from storage.models import Staff
from tests.support.seed import VILLAGE, invite, seed_region


def test_demo__two_thousand_children__region_staff_and_tiers(db: Database) -> None:
    size = generate(db.engine, children=2000, seed=3, today=date(2026, 11, 26))
    assert (size.children, size.villages) == (2000, 125)
    tiers = Counter(db.call(lambda s: s.exec(select(Child.risk_tier)).all()))
    assert sum(tiers.values()) == 2000
    assert 0.6 < tiers["low"] / 2000 < 0.8 and 0.05 < tiers["high"] / 2000 < 0.15
    directors = db.call(lambda s: s.exec(select(Staff).where(Staff.role == "director")).all())
    assert len(directors) == 125 and all(d.telegram_user_id < 0 for d in directors)


def test_demo__database_with_enrolled_staff__refused_and_nothing_written(db: Database) -> None:
    from bot.people.enrollment import ThrottlePolicy, redeem_invite
    from tests.support.seed import NOW

    seed_region(db)
    issued = invite(db, "director", VILLAGE)
    db.call(
        lambda s: redeem_invite(
            session=s,
            code=issued.code,
            telegram_user_id=42,
            locale="zh_Hans",
            now=NOW,
            policy=ThrottlePolicy(),
        )
    )
    with pytest.raises(UserError) as caught:
        generate(db.engine, children=10, seed=1, today=date(2026, 11, 26))
    assert caught.value.key == "demo.error.live_database"
    assert db.call(lambda s: s.exec(select(Child)).all()) == []
