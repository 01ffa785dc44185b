"""A reminder day end to end: the 09:00 digest, its buttons, a restart, the next day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import default_i18n
from bot.notify.render import Renderer
from bot.people.access import identify
from bot.reminders.sweep import html_to_text, sweep
from bot.settings import Settings
from storage.db import Database
from tests.e2e.test_chat_foundation import enrol
from tests.e2e.test_chat_visits import QUIET, step
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.children import file_child
from tests.support.clock import FakeClock
from tests.support.seed import TOWNSHIP

EARLY = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)  # 07:00 in Shanghai
MORNING = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def test_reminder_day__digest_button_opens_visit_and_visit_clears_the_child(
    fake: FakeTelegram, region: Database, bot_settings: Settings
) -> None:
    clock = FakeClock(EARLY)  # before the reminder time: enrolling sends no digest
    first = BotThread(bot_settings, clock=clock).start()
    director, _ = enrol(fake, region, now=EARLY)
    first.stop()
    clock.advance(MORNING - EARLY)
    caller = region.call(lambda s: identify(session=s, telegram_user_id=1001)).caller
    assert caller is not None
    today = date(2026, 11, 26)
    file_child(
        region,
        caller,
        name="中小明",
        tier="medium",
        sequence="113",
        filed_on=date(2026, 6, 1),
        today=today,
    )
    file_child(
        region,
        caller,
        name="高小红",
        tier="high",
        sequence="115",
        filed_on=date(2026, 6, 1),
        today=date(2026, 10, 5),
    )

    bot = BotThread(bot_settings, clock=clock).start()
    digest = director.wait_for_text("走访提醒", timeout=20)
    assert html_to_text(digest.text).index("高小红") < html_to_text(digest.text).index("中小明")
    director.press("记录走访：高小红", digest)
    director.wait_for_text("走访方式")
    step(director, "kind", "入户走访")
    step(director, "visited_on", "今天")
    for name, value in QUIET:
        step(director, name, value)
    director.press("保存")
    director.wait_for_text("走访记录已保存")
    bot.stop()

    again = BotThread(bot_settings, clock=clock).start()
    director.assert_quiet(3)
    again.stop()
    assert [m.text for m in director.messages()].count(digest.text) == 1

    tomorrow = region.call(
        lambda s: sweep(
            session=s,
            today=date(2026, 11, 27),
            now=MORNING,
            tz=ZoneInfo("Asia/Shanghai"),
            quiet=None,
            dry_run=True,
            renderer=Renderer(default_i18n()),
        )
    )
    text = html_to_text(tomorrow.messages[0][1].text)
    assert "中小明" in text and "高小红" not in text


def test_snooze__digest_buttons_put_away(
    fake: FakeTelegram, region: Database, bot_settings: Settings
) -> None:
    clock = FakeClock(EARLY)  # before the reminder time: enrolling sends no digest
    first = BotThread(bot_settings, clock=clock).start()
    director, _ = enrol(fake, region, now=EARLY)
    first.stop()
    clock.advance(MORNING - EARLY)
    caller = region.call(lambda s: identify(session=s, telegram_user_id=1001)).caller
    assert caller is not None
    file_child(
        region,
        caller,
        name="中小明",
        tier="medium",
        sequence="113",
        filed_on=date(2026, 6, 1),
        today=date(2026, 11, 26),
    )
    bot = BotThread(bot_settings, clock=clock).start()
    try:
        digest = director.wait_for_text("走访提醒", timeout=20)
        query = director.press("明天再提醒", digest)
        assert "明天" in (director.answer(query).text or "")
        director.wait_for(lambda m: m.message_id == digest.message_id and not m.buttons())
    finally:
        bot.stop()


def test_due_and_overdue_menus__list_children_on_demand(
    fake: FakeTelegram, region: Database, bot_settings: Settings
) -> None:
    clock = FakeClock(MORNING)
    bot = BotThread(bot_settings, clock=clock).start()
    try:
        director, _ = enrol(fake, region, now=MORNING)
        supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP, now=MORNING)
        supervisor.send("逾期走访")
        assert "没有逾期" in supervisor.reply().text
        caller = region.call(lambda s: identify(session=s, telegram_user_id=1001)).caller
        assert caller is not None
        file_child(
            region,
            caller,
            name="中小明",
            tier="medium",
            sequence="113",
            filed_on=date(2026, 6, 1),
            today=date(2026, 11, 26),
        )
        file_child(
            region,
            caller,
            name="高小红",
            tier="high",
            sequence="115",
            filed_on=date(2026, 6, 1),
            today=date(2026, 10, 5),
        )
        director.send("待走访")
        due = director.reply()
        assert "高小红" in due.text and "中小明" in due.text
        assert due.button_texts() == ["记录走访：高小红", "记录走访：中小明"]
        supervisor.send("逾期走访")
        overdue = supervisor.reply()
        assert "高小红" in overdue.text and "中小明" not in overdue.text
    finally:
        bot.stop()
