"""Statistics in chat through the fake Bot API: the screen, drilling down and back, the chart."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.settings import Settings
from storage.db import Database
from storage.models import AuditEntry
from storage.outbox_models import OutboxMessage
from tests.fakegram import FakeTelegram, FakeUser
from tests.support.botrunner import BotThread
from tests.support.clock import FakeClock
from tests.support.stats_data import NOW, seed_stats


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def stats_bot(bot_settings: Settings, clock: FakeClock, db: Database) -> Iterator[BotThread]:
    seed_stats(db)
    runner = BotThread(bot_settings, clock=clock).start()
    yield runner
    runner.stop()


def denials(db: Database) -> list[AuditEntry]:
    return list(
        db.call(
            lambda s: s.exec(
                select(AuditEntry).where(AuditEntry.action.endswith(".denied"))  # type: ignore[attr-defined]
            ).all()
        )
    )


EXPORT = "导出本区域台账"


def test_stats__supervisor__opens_drills_down_to_a_village_and_back_then_gets_the_chart(
    fake: FakeTelegram, db: Database, stats_bot: BotThread
) -> None:
    supervisor = fake.user(2001, first_name="督导")
    supervisor.send("统计")
    screen = supervisor.wait_for_text("白沙镇 统计")
    assert "儿童 4 人：留守儿童 2，困境儿童 2" in screen.text
    assert "本月 50% 2/4" in screen.text and "逾期未走访：2 人" in screen.text
    assert "上洋村" in screen.text  # in the tables, and named as short of directors
    assert [label for label, _ in screen.buttons()] == ["溪头村", "上洋村", "📊 图表", EXPORT]

    mark = supervisor.mark()
    supervisor.press("溪头村")
    village = supervisor.wait_for_text("溪头村 统计", since=mark)
    assert "儿童 3 人" in village.text and "本月 67% 2/3" in village.text
    assert [label for label, _ in village.buttons()] == ["⬆ 返回上级", "📊 图表", EXPORT]

    mark = supervisor.mark()
    supervisor.press("⬆ 返回上级", village)
    supervisor.wait_for_text("白沙镇 统计", since=mark)

    mark = supervisor.mark()
    supervisor.press("📊 图表")
    photo = supervisor.wait_for(lambda m: m.kind == "photo", since=mark, timeout=30)
    assert "白沙镇" in photo.text
    assert photo.file is not None and photo.file.data.startswith(b"\x89PNG")
    assert denials(db) == []

    mark = supervisor.mark()
    supervisor.press(EXPORT, village)
    ledger = supervisor.wait_for(lambda m: m.kind == "document", since=mark, timeout=30)
    assert ledger.file is not None and "溪头村" in ledger.text and "已部分隐藏" in ledger.text


def test_stats__forged_area_outside_the_township__refused_and_audited(
    fake: FakeTelegram, db: Database, stats_bot: BotThread
) -> None:
    supervisor = fake.user(2001, first_name="督导")
    supervisor.send("/stats")
    screen = supervisor.wait_for_text("白沙镇 统计")
    mark = supervisor.mark()
    supervisor.press_data(screen, "st:v:350121101")
    refusal = supervisor.wait_for_text("不在您的管辖范围内", since=mark)
    assert "南屿镇" not in refusal.text
    [denied] = denials(db)
    assert (denied.action, denied.record_id) == ("org_unit.denied", "350121101")


def test_stats__director__refused(fake: FakeTelegram, db: Database, stats_bot: BotThread) -> None:
    director = fake.user(1001, first_name="主任")
    director.send("/stats")
    director.wait_for_text("统计只对督导员和民政部门管理员开放")
    [denied] = denials(db)
    assert denied.action == "stats.denied"


def test_stats__county_admin__sees_townships_and_drills_to_the_other_one(
    fake: FakeTelegram, db: Database, stats_bot: BotThread
) -> None:
    admin = fake.user(3001, first_name="管理员")
    admin.send("统计")
    screen = admin.wait_for_text("闽侯县 统计")
    assert [label for label, _ in screen.buttons()][:2] == ["白沙镇", "南屿镇"]
    assert "⬆ 返回上级" not in [label for label, _ in screen.buttons()]
    mark = admin.mark()
    admin.press("南屿镇")
    other = admin.wait_for_text("南屿镇 统计", since=mark)
    assert "南井村：32 名儿童，1 名主任" in other.text


def test_stats__english_speaker__gets_english_figures(
    fake: FakeTelegram, db: Database, stats_bot: BotThread
) -> None:
    supervisor: FakeUser = fake.user(2001, first_name="Du")
    supervisor.send("/lang")
    supervisor.wait_for_text("请选择语言")
    supervisor.press("English")
    supervisor.wait_for_text("Please choose from the menu below.")
    supervisor.send("Statistics")
    screen = supervisor.wait_for_text("Statistics of 白沙镇")
    assert "4 children: 2 left-behind, 2 in difficulty" in screen.text


def test_rollup__first_working_day__supervisor_and_admin_get_the_photo_once(
    fake: FakeTelegram, db: Database, make_settings: Callable[..., Settings]
) -> None:
    seed_stats(db)
    supervisor = fake.user(2001, first_name="督导")
    admin = fake.user(3001, first_name="管理员")
    director = fake.user(1001, first_name="主任")
    december = FakeClock(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # Tuesday, 10:00 in Fujian
    settings = make_settings(telegram_api_url=fake.api_url, stats_rollup=True)
    runner = BotThread(settings, clock=december).start()
    try:
        photo = supervisor.wait_for(lambda m: m.kind == "photo", timeout=60)
        assert "白沙镇 2026-11 月度统计" in photo.text and "上月走访达标" in photo.text
        assert photo.file is not None and photo.file.data.startswith(b"\x89PNG")
        county = admin.wait_for(lambda m: m.kind == "photo", timeout=60)
        assert "闽侯县" in county.text
        assert rollups(db) == 2
        assert not any(m.kind == "photo" for m in director.messages())
    finally:
        runner.stop()
    # A restart the same day queues nothing again.
    runner = BotThread(settings, clock=december).start()
    try:
        supervisor.assert_quiet(4)
    finally:
        runner.stop()
    assert rollups(db) == 2


def rollups(db: Database) -> int:
    keys = db.read(lambda s: s.exec(select(OutboxMessage.key)).all())
    return sum(key.startswith("stats.rollup:") and key.endswith(":2026-11") for key in keys)
