"""The foundation in chat: enrollment by invite, strangers, revocation, menus, language, junk."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from bot.audit import Actor
from bot.people.staff import IssuedInvite, revoke_staff
from storage.child_models import FormSession
from storage.db import Database
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.clock import FakeClock
from tests.support.seed import NOW, TOWNSHIP, VILLAGE, invite


def keys(user) -> list[str]:  # type: ignore[no-untyped-def]
    """The labels of the reply keyboard the user sees now."""
    return [label for row in user.reply_keyboard() or [] for label in row]


DIRECTOR_MENU = {
    "🚨 紧急报告",
    "新建档案",
    "走访报告",
    "我的儿童",
    "待走访",
    "📝 工作日志",
    "帮助",
    "语言 Language",
}


def enrol(  # type: ignore[no-untyped-def]
    fake: FakeTelegram,
    db: Database,
    user_id: int = 1001,
    role: str = "director",
    org: str = VILLAGE,
    now: datetime = NOW,
):
    """Invite a staff member and have them open the link; return the user and the invite."""
    issued = invite(db, role, org, name="王芳", now=now)
    user = fake.user(user_id, first_name="王芳", language_code="zh-hans")
    user.send(f"/start {issued.code}")
    user.wait_for_text("欢迎您", timeout=20)
    return user, issued


def test_start__valid_invite__director_enrolled_with_chinese_menu(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    welcome = user.last()
    assert "王芳儿童主任" in welcome.text
    assert set(keys(user)) == DIRECTOR_MENU


def test_start__supervisor__gets_supervisor_menu(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    assert set(keys(user)) == {
        "🚨 紧急报告",
        "预警上报",
        "逾期走访",
        "走访报告",
        "统计",
        "帮助",
        "语言 Language",
    }


def test_start__stranger__told_to_ask_the_county_office(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    stranger = fake.user(3001, first_name="Zhang")
    stranger.send("/start")
    reply = stranger.wait_for_text("民政局")
    assert "邀请链接" in reply.text
    stranger.send("我的儿童")
    assert "民政局" in stranger.reply().text


def test_start__used_or_wrong_code__refused_then_slowed_down(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    _, issued = enrol(fake, region)
    other = fake.user(3002, first_name="李")
    other.send(f"/start {issued.code}")
    assert "无效或已过期" in other.reply().text
    for attempt in range(4):
        other.send(f"/start wrong{attempt}")
        other.reply()
    assert "尝试次数过多" in other.last().text


def test_start__expired_invite__refused(
    fake: FakeTelegram, region: Database, bot: BotThread, clock: FakeClock
) -> None:
    issued = invite(region, "director", VILLAGE)
    clock.advance(timedelta(days=8))
    user = fake.user(1005, first_name="王")
    user.send(f"/start {issued.code}")
    assert "无效或已过期" in user.reply().text


def revoke(region: Database, issued: IssuedInvite) -> None:
    """Revoke the staff member an invite enrolled, as the CLI would."""
    staff_id = issued.staff.id
    assert staff_id is not None
    region.call(
        lambda s: revoke_staff(
            session=s, staff_id=staff_id, actor=Actor.cli(), now=issued.expires_at
        )
    )


def test_revoke__user_loses_access_at_next_message(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, issued = enrol(fake, region)
    revoke(region, issued)
    user.send("帮助")
    assert "权限已被撤销" in user.reply().text


def test_revoke__mid_form__next_button_refused_and_draft_unchanged(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, issued = enrol(fake, region)
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    user.send("张晓明")
    question = user.wait_for_text("身份证号码")
    before = region.call(lambda s: s.exec(select(FormSession)).one().state)
    revoke(region, issued)
    query = user.press("取消", question)
    answer = user.answer(query)
    assert answer.show_alert and "仅供已登记的工作人员" in (answer.text or "")
    assert region.call(lambda s: s.exec(select(FormSession)).one().state) == before
    assert user.last().message_id == question.message_id and not user.last().edited


def test_lang__switch_to_english__menu_and_commands_follow(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    user.send("/lang")
    user.wait_for_text("请选择语言")
    user.press("English")
    user.wait_for_text("Please choose from the menu below.")
    assert "New file" in keys(user)
    user.send("Help")
    assert "How to use" in user.reply().text
    scoped = fake.commands(scope={"type": "chat", "chat_id": user.id})
    assert any(c["description"] == "How to use this bot" for c in scoped)


def test_commands__registered_in_chinese_and_english(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    chinese = {c["command"]: c["description"] for c in fake.commands()}
    english = {c["command"]: c["description"] for c in fake.commands(language_code="en")}
    assert chinese["help"] == "使用说明" and english["help"] == "How to use this bot"


def test_menu__stats__shows_the_township_figures(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    user.send("统计")
    assert "白沙镇 统计" in user.reply().text


def test_junk__sticker_photo_long_text_unknown_command__polite_replies(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    user.send_sticker()
    assert "暂时无法处理" in user.reply().text
    user.send_photo()
    assert "暂时无法处理" in user.reply().text
    user.send("字" * 5000)
    assert "消息太长" in user.reply().text
    user.send("/frobnicate")
    assert "没有这个命令" in user.reply().text
    user.send("/help")
    assert "使用说明" in user.reply().text


def test_help__director__lists_what_the_menu_does(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    user.send("/help")
    assert "一人一档" in user.reply().text


def test_error_in_handler__user_told_and_bot_keeps_running(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    fake.fail_next("sendMessage", 400, description="Bad Request: chat not found")
    user.send("/help")
    apology = user.wait_for_text("出了点问题")
    assert apology is not None
    user.send("/help")
    assert "使用说明" in user.reply().text
