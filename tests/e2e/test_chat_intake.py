"""Intake in chat through the fake Bot API: whole files, errors, back and skip, drafts, edits."""

from __future__ import annotations

from sqlmodel import select

from storage.child_models import Child, FormSession
from storage.db import Database
from storage.models import AuditEntry
from tests.e2e.test_chat_foundation import enrol
from tests.fakegram import FakeTelegram, FakeUser, SentMessage
from tests.support.botrunner import BotThread
from tests.support.ids import resident_id
from tests.support.intake import (
    CHILD_ID,
    LEFT_BEHIND,
    MULTI_CHOICE,
    ORPHAN,
    completes_at_once,
)
from tests.support.seed import NEIGHBOUR_VILLAGE


def answer(user, field: str, kind: str, value: str) -> SentMessage:  # type: ignore[no-untyped-def]
    """Answer the current question by typing or pressing; return the bot's next question."""
    if kind == "text":
        user.send(value)
    else:
        user.press(value)
    if field in MULTI_CHOICE and not completes_at_once("intake", field, value):
        user.wait_for(lambda m: "✅" in str(m.buttons()))
        user.press("完成")
    return user.wait_for(lambda m: bool(m.buttons()))


def fill(user, answers: dict[str, tuple[str, str]]) -> SentMessage:  # type: ignore[no-untyped-def]
    """Answer every question in order, starting at the one on screen; return the review."""
    reply = None
    for field, (kind, value) in answers.items():
        reply = answer(user, field, kind, value)
    assert reply is not None and "核对无误" in reply.text, user.transcript()
    return reply


def test_intake__left_behind_child__saved_with_caregiver(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    fill(user, LEFT_BEHIND)
    summary = "\n".join(m.text for m in user.messages()[-6:])
    assert "3501**********" in summary and "13812345678" not in summary
    assert "138****5678" in summary
    user.press("保存")
    user.wait_for_text("已保存 张小明 的档案")
    child = region.call(lambda s: s.exec(select(Child)).one())
    assert child.id_number == CHILD_ID and child.category == "left_behind"


def test_intake__orphan_in_difficulty__saved(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    user.send("/new")
    user.wait_for_text("儿童姓名")
    fill(user, ORPHAN)
    user.press("保存")
    user.wait_for_text("已保存 陈小红 的档案")


def answer_until(user, answers: dict[str, tuple[str, str]], stop: str) -> None:  # type: ignore[no-untyped-def]
    """Answer in order up to (not including) the question `stop`."""
    for field, (kind, value) in answers.items():
        if field == stop:
            return
        answer(user, field, kind, value)


def test_intake__bad_id_numbers__each_explained_and_asked_again(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    user.send("张小明")
    user.wait_for_text("儿童身份证号码")
    bad = CHILD_ID[:-1] + ("0" if CHILD_ID[-1] != "0" else "1")
    user.send(bad)
    assert "可能有一位输错了" in user.wait_for_text("⚠️").text
    user.send(CHILD_ID[:17])
    assert "您输入了 17 位" in user.wait_for_text("⚠️").text
    user.send(resident_id(birth="20301201"))
    assert "还没到" in user.wait_for_text("⚠️").text
    user.send(CHILD_ID)
    assert "性别 男，出生日期 2015-03-05" in user.wait_for_text("是否正确").text


def test_intake__bad_phone_negative_money_future_date__refused_keeping_answers(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    answer_until(user, LEFT_BEHIND, "father_phone")
    user.send("12345")
    assert "电话号码不正确" in user.wait_for_text("⚠️").text
    answer_until(
        user,
        {
            k: v
            for k, v in LEFT_BEHIND.items()
            if list(LEFT_BEHIND).index(k) >= list(LEFT_BEHIND).index("father_phone")
        },
        "income_per_capita",
    )
    user.send("-100")
    assert "负数" in user.wait_for_text("⚠️").text
    answer_until(
        user,
        {
            k: v
            for k, v in LEFT_BEHIND.items()
            if list(LEFT_BEHIND).index(k) >= list(LEFT_BEHIND).index("income_per_capita")
        },
        "entrusted_from",
    )
    user.send("2099-01-01")
    assert "还没到" in user.wait_for_text("⚠️").text
    draft = region.call(lambda s: s.exec(select(FormSession)).one())
    assert (
        '"child_name": "张小明"' in draft.state and '"income_per_capita": "12000.00"' in draft.state
    )


def test_intake__back_and_skip__change_earlier_answer(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    user.send("张小明")
    user.wait_for_text("儿童身份证号码")
    user.press("上一步")
    question = user.wait_for_text("当前填写：张小明")
    assert "儿童姓名" in question.text
    user.send("张晓明")
    user.wait_for_text("儿童身份证号码")


def to_ethnicity_question(user: FakeUser) -> SentMessage:
    """Start a file and answer up to the first question with buttons (ethnicity)."""
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    for field in ("child_name", "child_id", "child_id_confirm"):
        answer(user, field, *LEFT_BEHIND[field])
    return user.wait_for_text("请选择民族")


def test_intake__stale_button__already_answered_and_nothing_changes(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user = enrol(fake, region)[0]
    question = to_ethnicity_question(user)
    old_data = dict(question.buttons())["回族"]
    user.press("汉族")
    user.wait_for_text("家庭地址")
    query = user.press_data(question.message_id, old_data)
    assert "已经回答" in (user.answer(query).text or "")
    user.send("溪头村 1 号")
    user.wait_for_text("户籍类别")
    draft = region.call(lambda s: s.exec(select(FormSession)).one())
    assert '"ethnicity": "han"' in draft.state


def test_intake__button_answer__next_question_replaces_it_and_echoes_answer(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user = enrol(fake, region)[0]
    question = to_ethnicity_question(user)
    sent_before = len(user.messages())
    query = user.press("汉族")
    edited = user.wait_for_text("家庭地址")
    assert user.answer(query).text is None  # the button's spinner stopped, with no alert
    assert edited.message_id == question.message_id and edited.edited
    assert "✓ 民族：汉族" in edited.text
    assert len(user.messages()) == sent_before
    assert "汉族" not in [label for label, _ in edited.buttons()]


def test_intake__duplicate_id__refused_without_naming_the_village(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    neighbour, _ = enrol(fake, region, 1009, "director", NEIGHBOUR_VILLAGE)
    neighbour.send("新建档案")
    neighbour.wait_for_text("儿童姓名")
    fill(neighbour, LEFT_BEHIND)
    neighbour.press("保存")
    neighbour.wait_for_text("已保存")
    user, _ = enrol(fake, region)
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    for field, (kind, value) in LEFT_BEHIND.items():
        reply = answer(user, field, kind, value)
    refusal = user.wait_for_text("已在其他地方建档", since=0)
    assert refusal is not None and "已在其他地方建档" in reply.text
    assert "上洋村" not in refusal.text
    assert "保存" not in [label for label, _ in refusal.buttons()]


def test_children__forged_callback_for_other_village__refused_and_audited(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    neighbour, _ = enrol(fake, region, 1009, "director", NEIGHBOUR_VILLAGE)
    neighbour.send("新建档案")
    neighbour.wait_for_text("儿童姓名")
    fill(neighbour, LEFT_BEHIND)
    neighbour.press("保存")
    neighbour.wait_for_text("已保存")
    child = region.call(lambda s: s.exec(select(Child)).one())
    user, _ = enrol(fake, region)
    user.send("我的儿童")
    listing = user.wait_for_text("儿童档案")
    user.press_data(listing.message_id, f"ch:card:{child.id}")
    assert "无权查看" in user.wait_for_text("无权").text
    denied = region.call(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "child.denied")).all()
    )
    assert len(denied) == 1
