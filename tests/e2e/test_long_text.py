"""Long text reaches the user whole and hostile text is refused: the strict fake Bot API parses
every part's HTML and enforces the 4,096 limit, so a part cut inside `&amp;` or `<b>` is a 400."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlmodel import select

from bot.settings import Settings
from storage.child_models import Child
from storage.db import Database
from tests.e2e.test_chat_foundation import enrol
from tests.e2e.test_chat_intake import fill
from tests.e2e.test_outbox import queue, rows
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.intake import CHILD_ID, LEFT_BEHIND
from tests.support.seed import TOWNSHIP


def wait_until_sent(db: Database, count: int, timeout: float = 20) -> list[str]:
    deadline = time.monotonic() + timeout
    states: list[str] = []
    while time.monotonic() < deadline:
        states = [r.state for r in rows(db)]
        if len(states) == count and set(states) == {"sent"}:
            break
        time.sleep(0.1)
    return states


def test_long_escalation__1100_less_than_signs__every_part_arrives_buttons_on_the_last(
    fake: FakeTelegram, region: Database, bot_settings: Settings
) -> None:
    bot = BotThread(bot_settings).start()
    try:
        user, issued = enrol(fake, region, 2001, "supervisor", TOWNSHIP, now=datetime.now(UTC))
        assert issued.staff.id is not None
        queue(region, issued.staff.id, "esc:long", "<b>紧急上报</b>\n解决措施：" + "&lt;" * 1100)
        # One outbox row, sent in two parts.
        assert wait_until_sent(region, 1) == ["sent"]
        parts = [m for m in user.messages() if "<<<" in m.text]
        assert "".join(m.text for m in parts).count("<") == 1100
        assert [m.button_texts() for m in parts] == [[], ["好"]]
        assert fake.error_count(400) == 0
    finally:
        bot.stop()


def test_long_review__note_ending_in_52_ampersands__arrives_without_a_400(
    fake: FakeTelegram, region: Database, bot_settings: Settings
) -> None:
    bot = BotThread(bot_settings).start()
    try:
        user, issued = enrol(fake, region, 2001, "supervisor", TOWNSHIP, now=datetime.now(UTC))
        assert issued.staff.id is not None
        note = "<b>核对</b>\n备注：" + "很" * 4030 + "&amp;" * 52
        queue(region, issued.staff.id, "review:long", note)
        assert wait_until_sent(region, 1) == ["sent"]
        parts = [m for m in user.messages() if "很" in m.text or "&" in m.text]
        assert len(parts) == 2
        shown = "".join(m.text for m in parts)
        assert shown.endswith("&" * 52) and shown.count("很") == 4030
        assert fake.error_count(400) == 0
    finally:
        bot.stop()


def test_intake__notes_of_1000_ampersands__review_splits_and_save_works(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    notes = "&" * 1000  # within the 1,000 a note takes; 5,000 characters once escaped as HTML
    mark = user.last_action
    fill(user, {**LEFT_BEHIND, "notes": ("text", notes)})
    review = [m.text for m in user.messages() if m.created_seq > mark]
    assert "".join(review).count("&") == 1000  # every part of the review arrived, none cut off
    user.press("保存")
    user.wait_for_text("已保存 张小明 的档案")
    assert fake.error_count(400) == 0
    assert region.call(lambda s: s.exec(select(Child)).one()).id_number == CHILD_ID


def test_intake__name_with_nul_or_rtl_override__refused_then_asked_again(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    for hostile in ("张小\x00明", "\u202e明小张", "\u200b\u200b"):
        mark = user.last_action
        user.send(hostile)
        warning = user.wait_for_text("⚠️", since=mark)
        assert "看不见的特殊字符" in warning.text or "内容是空的" in warning.text
    user.send("张小明")
    user.wait_for_text("儿童身份证号码")
    assert fake.error_count(400) == 0
