"""Recording attendance in chat: an admin picks the training and the township, ticks people."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.audit import Actor
from bot.county.training import EventInput, add_event
from storage.county_models import TrainingAttendance
from storage.db import Database
from tests.e2e.test_chat_foundation import enrol
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.seed import COUNTY


def test_training__admin_ticks_a_director__recorded_then_unticked(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    _, director = enrol(fake, region)
    admin, _ = enrol(fake, region, 3001, "admin", COUNTY)
    data = EventInput(COUNTY, "2026-10-20", "4", "闽侯县民政局", "关爱服务实务")
    region.call(
        lambda s: add_event(
            session=s, data=data, actor=Actor.cli(), now=datetime(2026, 10, 20, tzinfo=UTC)
        )
    )
    admin.send("/training")
    admin.wait_for_text("选择要登记参训人员的培训")
    admin.press("2026-10-20 关爱服务实务")
    admin.wait_for_text("选择乡镇")
    admin.press("白沙镇")
    admin.wait_for_text("白沙镇：已登记 0/1 人")
    admin.press("⬜ 王芳")
    admin.wait_for(lambda m: "已登记 1/1 人" in m.text and m.edited)
    attended = region.call(lambda s: [a.staff_id for a in s.exec(select(TrainingAttendance))])
    assert attended == [director.staff.id]
    admin.press("✅ 王芳")
    admin.wait_for(lambda m: "已登记 0/1 人" in m.text)
    assert region.call(lambda s: s.exec(select(TrainingAttendance)).all()) == []


def test_training__a_director__refused(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    director, _ = enrol(fake, region)
    director.send("/training")
    director.wait_for_text("只有管理员可以登记培训")
