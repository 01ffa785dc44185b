"""Visits as they happen: a routine one in ten taps, nobody home, a phone call, help, a log."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from storage.care_log_models import HelpGiven, WorkLogChild, WorkLogEntry
from storage.child_models import Child
from storage.db import Database
from storage.visit_models import Visit
from tests.e2e.test_chat_foundation import enrol
from tests.e2e.test_chat_visits import QUIET_CALL, file_child, start_visit, step
from tests.fakegram import FakeTelegram, FakeUser, SentMessage
from tests.support.botrunner import BotThread


class Counted:
    """A director whose taps and typed messages are counted, as a usability test would."""

    def __init__(self, user: FakeUser) -> None:
        self.user, self.taps, self.typed = user, 0, 0

    def tap(self, label: str, ticks: bool = False) -> SentMessage:
        """Press an inline button and wait for the bot's answer (a tick, or what comes next)."""
        self.taps += 1
        self.user.press(label)
        if ticks:
            return self.user.wait_for(lambda m: "✅" in str(m.buttons()))
        return self.user.wait_for(lambda m: bool(m.buttons()) or "已保存" in m.text)


@pytest.fixture
def director(fake: FakeTelegram, region: Database, bot: BotThread) -> FakeUser:
    user, _ = enrol(fake, region)
    file_child(region)
    return user


def test_routine_home_visit__ten_taps_and_nothing_typed(
    director: FakeUser, region: Database
) -> None:
    director.send("走访报告")  # the menu's button
    picker = director.wait_for_text("请选择要记录走访的儿童")
    counted = Counted(director)
    child = next(label for label, _ in picker.buttons() if label.startswith("张小明"))
    assert "走访方式" in counted.tap(child).text
    counted.tap("入户走访")
    counted.tap("今天")
    counted.tap("以上都没有")  # no mandatory-report situation: one tap, no Done
    counted.tap("儿童本人", ticks=True)
    counted.tap("完成")  # the child met in person: "seen in person" is not asked
    counted.tap("没有发现问题")  # nothing found: no needs and no report upward asked
    counted.tap("都没有变化")  # caregiver and risk tier in one question
    review = counted.tap("不添加")  # photos, voice and location: one optional step
    assert "核对无误" in review.text
    saved = counted.tap("保存")
    assert "走访记录已保存" in saved.text
    assert (counted.taps, counted.typed) == (10, 0)
    visit = region.call(lambda s: s.exec(select(Visit)).one())
    assert (visit.kind, visit.met, visit.seen_in_person, visit.outcome) == (
        "home_visit",
        "child",
        True,
        "completed",
    )
    assert visit.tier_before == visit.tier_after == "medium" and not visit.flagged
    child_row = region.call(lambda s: s.exec(select(Child)).one())
    assert str(child_row.last_visit_on) == "2026-11-02"


def test_visit__nobody_home__recorded_as_an_attempt_and_the_visit_still_owed(
    director: FakeUser, region: Database
) -> None:
    due_before = region.call(lambda s: s.exec(select(Child)).one().next_visit_due)
    start_visit(director)
    step(director, "urgent", "以上都没有")
    media = step(director, "met", "家中无人（未遇）")
    # Nobody met: no problems, changes or "seen in person"; a location may prove the attempt.
    assert "走访照片、语音或位置" in media.text
    director.send_location(26.08, 119.3)
    director.wait_for_text("已收到：[位置]")
    review = step(director, "media", "完成")
    summary = "\n".join(m.text for m in director.messages()[-3:])
    assert "核对无误" in review.text and "家中无人" in summary
    director.press("保存")
    director.wait_for_text("走访记录已保存")
    visit = region.call(lambda s: s.exec(select(Visit)).one())
    assert (visit.outcome, visit.seen_in_person) == ("nobody_home", False)
    assert '"location"' in visit.media
    child = region.call(lambda s: s.exec(select(Child)).one())
    assert child.last_visit_on is None and child.next_visit_due == due_before
    director.send("我的儿童")
    director.wait_for_text("儿童档案")
    director.press(
        next(label for label, _ in director.last().buttons() if label.startswith("张小明"))
    )
    director.wait_for(lambda m: "记录帮扶" in m.button_texts())
    card = "\n".join(m.text for m in director.messages())
    assert "2026-11-02 入户走访：家中无人" in card


def test_visit__phone_contact__skips_who_was_met_photos_and_location(
    director: FakeUser, region: Database
) -> None:
    start_visit(director, "电话视频联系")
    asked = []
    for name, value in QUIET_CALL:
        asked.append(director.last().text)
        step(director, name, value)
    shown = "\n".join(asked)
    assert "见到了谁" not in shown and "是否见到儿童本人" not in shown
    assert "通话语音记录" in shown and "走访照片" not in shown
    director.press("保存")
    director.wait_for_text("走访记录已保存")
    visit = region.call(lambda s: s.exec(select(Visit)).one())
    assert (visit.kind, visit.met, visit.seen_in_person) == ("contact", "", False)


def test_card__help_given_and_work_log__recorded_and_shown(
    director: FakeUser, region: Database
) -> None:
    child_id = region.call(lambda s: s.exec(select(Child)).one().id)
    director.send("我的儿童")
    director.wait_for_text("儿童档案")
    director.press(
        next(label for label, _ in director.last().buttons() if label.startswith("张小明"))
    )
    director.wait_for(lambda m: "记录帮扶" in m.button_texts())
    director.press("记录帮扶")
    director.wait_for_text("为张小明提供的帮扶类别")
    step(director, "kind", "学业帮扶")
    step(director, "given_by", "县团委志愿者", typed=True)
    step(director, "given_on", "今天")
    review = step(director, "note", "每周六上门辅导数学", typed=True)
    assert "核对无误" in review.text
    director.press("保存")
    director.wait_for_text("已为张小明保存帮扶记录")
    director.send("📝 工作日志")
    director.wait_for_text("工作日期")
    step(director, "done_on", "今天")
    step(director, "what", "召开留守儿童家长电话会", typed=True)
    director.press("张小明")
    director.wait_for(lambda m: "✅" in str(m.buttons()))
    review = step(director, "children", "完成")
    summary = "\n".join(m.text for m in director.messages()[-3:])
    assert "核对无误" in review.text and "涉及的儿童：张小明" in summary
    director.press("保存")
    director.wait_for_text("工作日志已保存")
    help_row = region.call(lambda s: s.exec(select(HelpGiven)).one())
    assert (help_row.kind, help_row.given_by, help_row.given_on) == (
        "study",
        "县团委志愿者",
        date(2026, 11, 2),
    )
    entry = region.call(lambda s: s.exec(select(WorkLogEntry)).one())
    links = region.call(lambda s: s.exec(select(WorkLogChild)).all())
    assert entry.what == "召开留守儿童家长电话会"
    assert [(link.entry_id, link.child_id) for link in links] == [(entry.id, child_id)]
    director.send("我的儿童")
    director.wait_for_text("儿童档案")
    director.press(
        next(label for label, _ in director.last().buttons() if label.startswith("张小明"))
    )
    director.wait_for(lambda m: "记录帮扶" in m.button_texts())
    card = "\n".join(m.text for m in director.messages()[-6:])
    assert "2026-11-02 学业帮扶（县团委志愿者）每周六上门辅导数学" in card
    assert "2026-11-02 召开留守儿童家长电话会" in card


def test_work_log__hostile_text__refused_and_nothing_stored(
    director: FakeUser, region: Database
) -> None:
    director.send("/log")
    director.wait_for_text("工作日期")
    step(director, "done_on", "今天")
    director.send("做了" * 2500)  # 5,000 characters
    director.wait_for_text("消息太长了")
    director.send("做了" * 600)
    director.wait_for_text("1200")  # the answer's length, over the question's limit
    director.send("走访\x00张小明")
    director.wait_for(lambda m: "⚠️" in m.text and "1200" not in m.text)
    assert region.call(lambda s: s.exec(select(WorkLogEntry)).all()) == []
