"""Typed text answers a form only while its question is the last thing the bot asked."""

from __future__ import annotations

from sqlmodel import select

from bot.forms import drafts
from storage.child_models import FormSession
from storage.db import Database
from storage.visit_models import Escalation, EscalationEvent
from tests.e2e.test_chat_foundation import enrol
from tests.e2e.test_chat_intake import answer_until
from tests.e2e.test_chat_visits import file_child, flagged_visit
from tests.fakegram import FakeTelegram, FakeUser
from tests.support.botrunner import BotThread
from tests.support.intake import LEFT_BEHIND
from tests.support.seed import TOWNSHIP

ADDRESS_QUESTION = "请输入家庭地址"
PAUSED = "已暂停"


def open_answers(db: Database) -> dict[str, object]:
    """The answers of the one open draft."""
    found = db.call(
        lambda s: s.exec(select(FormSession).where(FormSession.status == drafts.OPEN)).one()
    )
    return drafts.state_of(found).answers


def escalation_actions(db: Database) -> list[str]:
    """What was done to the escalation (who was sent it, "told", is left out)."""
    events = db.call(lambda s: s.exec(select(EscalationEvent)).all())
    return [e.action for e in events if e.action != "told"]


def reported_to_supervisor(fake: FakeTelegram, region: Database) -> FakeUser:
    """A director files a child and a flagged visit; return the township supervisor."""
    director, _ = enrol(fake, region)
    file_child(region)
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    flagged_visit(director)
    supervisor.wait_for_text("儿童主任上报", timeout=15)
    return supervisor


def test_resolve_pressed__menu_item_typed__menu_shown_and_report_not_resolved(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    supervisor = reported_to_supervisor(fake, region)
    report = supervisor.wait_for_text("儿童主任上报")
    supervisor.press("已解决", report)
    supervisor.wait_for_text("处理结果说明")

    supervisor.send("预警上报")
    listed = supervisor.wait_for_text("#1")
    offer = supervisor.wait_for_text(PAUSED)
    assert listed.message_id < offer.message_id  # the list first, the offer to continue last
    assert "处理结果说明" in offer.text
    assert [label for label, _ in offer.buttons()] == ["继续填写", "放弃"]
    assert escalation_actions(region) == ["raised"]
    assert region.call(lambda s: s.exec(select(Escalation)).one()).state != "resolved"

    supervisor.press("继续填写", offer)
    supervisor.wait_for(
        lambda m: "请填写处理结果说明" in m.text and m.message_id == offer.message_id
    )
    supervisor.send("已协调民政救助资金维修")
    confirm = supervisor.wait_for_text("确认保存以上内容吗")
    assert "已协调民政救助资金维修" in confirm.text
    assert [label for label, _ in confirm.buttons()] == ["保存", "修改", "取消"]
    assert escalation_actions(region) == ["raised"]
    supervisor.press("保存", confirm)
    supervisor.wait_for_text("已标记为处理完毕")
    assert escalation_actions(region) == ["raised", "resolved"]


def test_resolve_pressed__other_text_typed__shown_back_and_changed_before_saving(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    supervisor = reported_to_supervisor(fake, region)
    supervisor.press("已解决", supervisor.wait_for_text("儿童主任上报"))
    supervisor.wait_for_text("处理结果说明")
    # Not a supervisor's menu item: the question is in front, so this is the note, but shown
    # back and asked about before anything is resolved.
    supervisor.send("我的儿童")
    confirm = supervisor.wait_for_text("确认保存以上内容吗")
    assert "我的儿童" in confirm.text and escalation_actions(region) == ["raised"]
    supervisor.press("修改", confirm)
    question = supervisor.wait_for_text("请填写处理结果说明")
    assert "不修改" in [label for label, _ in question.buttons()]
    supervisor.send("已协调民政救助资金维修")
    supervisor.press("保存", supervisor.wait_for_text("确认保存以上内容吗"))
    supervisor.wait_for_text("已标记为处理完毕")
    note = region.call(lambda s: s.exec(select(Escalation)).one()).resolution
    assert note == "已协调民政救助资金维修"


def test_intake_open__children_command_then_name_typed__search_not_the_address(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    director, _ = enrol(fake, region)
    file_child(region)
    director.send("新建档案")
    director.wait_for_text("儿童姓名")
    answer_until(director, LEFT_BEHIND, "home_address")
    director.wait_for_text(ADDRESS_QUESTION)

    director.send("/children")
    director.wait_for_text("儿童档案（第")
    offer = director.wait_for_text(PAUSED)
    assert "家庭地址" in offer.text
    director.send("小明")
    picker = director.wait_for_text("姓名包含“小明”的儿童")
    assert any(label.startswith("张小明") for label, _ in picker.buttons())
    assert "home_address" not in open_answers(region)

    # Continue: the address question again, and typed text answers it once more.
    director.press("继续填写", offer)
    director.wait_for(lambda m: ADDRESS_QUESTION in m.text and m.message_id == offer.message_id)
    director.send("闽侯县白沙镇溪头村 12 号")
    director.wait_for(lambda m: "✓ 家庭地址：闽侯县白沙镇溪头村 12 号" in m.text)
    assert open_answers(region)["home_address"] == "闽侯县白沙镇溪头村 12 号"


def test_intake_open__visit_menu_then_name_typed__search_not_the_address(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    director, _ = enrol(fake, region)
    file_child(region)
    director.send("新建档案")
    director.wait_for_text("儿童姓名")
    answer_until(director, LEFT_BEHIND, "home_address")
    director.wait_for_text(ADDRESS_QUESTION)

    director.send("走访报告")
    director.wait_for_text("请选择要记录走访的儿童")
    director.wait_for_text(PAUSED)
    director.send("小明")
    director.wait_for_text("姓名包含“小明”的儿童")
    assert "home_address" not in open_answers(region)


def test_intake_open__question_in_front__typed_answer_taken_as_before(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    director, _ = enrol(fake, region)
    file_child(region)
    director.send("新建档案")
    director.wait_for_text("儿童姓名")
    answer_until(director, LEFT_BEHIND, "home_address")
    director.wait_for_text(ADDRESS_QUESTION)
    director.send("小明")
    director.wait_for(lambda m: "✓ 家庭地址：小明" in m.text)
    assert open_answers(region)["home_address"] == "小明"
    assert PAUSED not in director.transcript(last=50)


def test_note_question__says_its_length_limit(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    supervisor = reported_to_supervisor(fake, region)
    supervisor.press("已解决", supervisor.wait_for_text("儿童主任上报"))
    question = supervisor.wait_for_text("处理结果说明")
    assert "最多 1000 字" in question.text


def test_name_search__hidden_characters_or_longer_than_a_name__refused_clearly(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    director, _ = enrol(fake, region)
    file_child(region)
    director.send("\u202e小明")
    director.wait_for_text("看不见的特殊字符")
    director.send("小" * 51)
    director.wait_for_text("最多 50 个字")
    director.send("/visit " + "明" * 60)
    director.wait_for_text("最多 50 个字")
    director.send("小明")
    director.wait_for_text("姓名包含“小明”的儿童")
    assert "没有找到" not in director.transcript(last=50)
    statuses = region.call(lambda s: [d.status for d in s.exec(select(FormSession)).all()])
    assert statuses == [drafts.SAVED]  # only the intake that filed the child
