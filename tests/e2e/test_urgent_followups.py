"""What follows an urgent report: the placeholder file's daily reminder and its intake, visit
corrections that re-run the reports, supervisors' visits, delivery across a restart."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.care.visits import visit_context
from bot.forms.launch import open_form
from bot.i18n import default_i18n
from bot.notify.render import Renderer
from bot.people.access import Caller, identify
from bot.reminders.sweep import html_to_text, sweep
from bot.settings import Settings
from storage.child_models import Child
from storage.db import Database
from storage.models import AuditEntry
from storage.outbox_models import OutboxMessage
from storage.visit_models import Escalation, Visit
from tests.e2e.test_chat_foundation import enrol
from tests.e2e.test_chat_visits import QUIET, file_child, start_visit, step
from tests.e2e.test_urgent_report import UNFILED, URGENT_MENU, question, tick_and_finish
from tests.fakegram import FakeTelegram, FakeUser
from tests.support.botrunner import BotThread
from tests.support.clock import FakeClock
from tests.support.formdriver import NOW, POLICY, TODAY, FormDriver
from tests.support.intake import LEFT_BEHIND, MULTI_CHOICE
from tests.support.seed import TOWNSHIP, VILLAGE, enrol_caller

SHANGHAI = ZoneInfo("Asia/Shanghai")


def caller_of(db: Database, user_id: int) -> Caller:
    caller = db.call(lambda s: identify(session=s, telegram_user_id=user_id)).caller
    assert isinstance(caller, Caller)
    return caller


def reminders_on(db: Database, day: date) -> list[str]:
    """The day's digests as their recipients would read them (a dry run queues nothing)."""
    result = db.call(
        lambda s: sweep(
            session=s,
            today=day,
            now=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
            tz=SHANGHAI,
            quiet=None,
            dry_run=True,
            renderer=Renderer(default_i18n()),
        )
    )
    return [html_to_text(message.text) for _, message in result.messages]


def report_named_child(director: FakeUser, name: str) -> None:
    director.send(URGENT_MENU)
    director.wait_for_text("请选择要紧急报告的儿童")
    director.press(UNFILED)
    question(director, "儿童姓名")
    director.send(name)
    question(director, "大约年龄")
    director.send("11")
    director.wait_for_text("儿童现在在哪里")
    director.send("溪头村后山")
    question(director, "发现的情形")
    tick_and_finish(director, "面临其他危险情形")
    director.wait_for_text("情况简述")
    director.send("独自在山上放牛，天黑未归")
    director.wait_for_text("110")
    question(director, "现场照片")
    director.press("跳过")
    question(director, "位置")
    director.press("跳过")
    director.wait_for_text("核对无误")
    director.press("保存")
    director.wait_for_text("紧急报告已保存")


@pytest.fixture
def director(fake: FakeTelegram, region: Database, bot: BotThread) -> FakeUser:
    user, _ = enrol(fake, region)
    return user


def test_placeholder__reminded_daily__intake_prefilled_completes_the_same_file(
    director: FakeUser, region: Database
) -> None:
    report_named_child(director, "李小花")
    (placeholder,) = region.call(lambda s: s.exec(select(Child)).all())
    assert placeholder.placeholder
    for day in (date(2026, 11, 3), date(2026, 11, 4)):
        assert any("尚未完成建档：李小花" in text for text in reminders_on(region, day))

    director.send("我的儿童")
    director.wait_for_text("儿童档案")
    director.press(
        next(label for label, _ in director.last().buttons() if label.startswith("李小花"))
    )
    card = director.wait_for(lambda m: "补全档案" in m.button_texts())
    assert "修改档案" not in card.button_texts()
    assert any("待补全档案" in m.text for m in director.messages())

    director.send("/complete")
    listed = director.wait_for_text("待补全")
    assert "李小花（2026-11-02报告）" in listed.button_texts()
    director.press("李小花（2026-11-02报告）")
    # Started from what the report said: the name is known, so the ID number comes first.
    question(director, "身份证号码")
    driver = FormDriver(region, caller_of(region, 1001))
    driver.type(LEFT_BEHIND["child_id"][1])
    assert driver.screen is not None and driver.screen.state is not None
    assert driver.screen.state.answers["child_name"] == "李小花"
    assert driver.screen.state.answers["risk_tier"] == "high"
    driver.fill(LEFT_BEHIND, MULTI_CHOICE)
    saved = driver.press("保存")
    assert saved.kind == "saved" and saved.record_id == placeholder.id

    (child,) = region.call(lambda s: s.exec(select(Child)).all())
    assert child.id == placeholder.id and not child.placeholder
    assert child.category == "left_behind" and child.id_number == LEFT_BEHIND["child_id"][1]
    assert child.birth_date == date(2015, 3, 5) and child.name == "李小花"
    assert child.home_address == LEFT_BEHIND["home_address"][1] and child.risk_tier == "high"
    completed = region.call(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "child.completed")).all()
    )
    assert [e.record_id for e in completed] == [str(child.id)]
    assert not any("尚未完成建档" in text for text in reminders_on(region, date(2026, 11, 5)))
    director.send("/complete")
    director.wait_for_text("没有待补全的档案")


def edit_situations(director: FakeUser, untick: str, tick: str) -> None:
    """Open the visit's correction from the card and change the situations ticked."""
    director.send("我的儿童")
    director.wait_for_text("儿童档案")
    director.press(
        next(label for label, _ in director.last().buttons() if label.startswith("张小明"))
    )
    actions = director.wait_for(lambda m: "修改 2026-11-02 的走访记录" in m.button_texts())
    mark = director.mark()
    director.press("修改 2026-11-02 的走访记录", actions)
    review = director.wait_for(lambda m: "修改强制报告情形" in m.button_texts(), since=mark)
    director.press("修改强制报告情形", review)
    question(director, "是否发现以下情形")
    # Tick first: a press that would leave nothing ticked brings the stored ticks back.
    director.press(tick)
    if tick == "以上都没有":
        return  # "none" is the whole answer, in one tap
    ticked = director.wait_for(lambda m: f"✅ {tick}" in str(m.buttons()))
    if f"✅ {untick}" in str(ticked.buttons()):  # "none" is let go of by another tick
        director.press(f"✅ {untick}")
        director.wait_for(
            lambda m: untick in str(m.buttons()) and f"✅ {untick}" not in str(m.buttons())
        )
    director.press("完成")


def test_visit_edit__adds_a_situation__raises_the_urgent_report_then_removal_is_told(
    fake: FakeTelegram, region: Database, director: FakeUser
) -> None:
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    file_child(region)
    start_visit(director)
    for name, value in QUIET:
        step(director, name, value)
    director.press("保存")
    director.wait_for_text("走访记录已保存")
    assert region.call(lambda s: s.exec(select(Escalation)).all()) == []

    edit_situations(director, "以上都没有", "失踪")
    director.wait_for_text("紧急情况简述")
    director.send("复核发现孩子已两天未回家")
    director.wait_for_text("核对无误")
    director.press("保存")
    director.wait_for_text("走访记录的修改已保存")
    alert = supervisor.wait_for_text("紧急上报", timeout=15)
    assert "失踪" in alert.text and "复核发现孩子已两天未回家" in alert.text
    visit = region.call(lambda s: s.exec(select(Visit)).one())
    (esc,) = region.call(lambda s: s.exec(select(Escalation)).all())
    assert esc.urgent and esc.visit_id == visit.id and visit.urgent == "missing"

    edit_situations(director, "失踪", "以上都没有")
    director.wait_for_text("核对无误")
    director.press("保存")
    director.wait_for_text("走访记录的修改已保存")
    told = supervisor.wait_for_text("修改了紧急报告", timeout=15)
    assert f"#{esc.id}" in told.text
    (still,) = region.call(lambda s: s.exec(select(Escalation)).all())
    assert still.state == "open"  # a correction closes nothing by itself


def test_supervisor_visit__counts_for_the_childs_cadence(
    fake: FakeTelegram, region: Database, director: FakeUser
) -> None:
    supervisor, issued = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    file_child(region)
    before = region.call(lambda s: s.exec(select(Child)).one())
    assert before.last_visit_on is None
    start_visit(supervisor)
    for name, value in QUIET:
        step(supervisor, name, value)
    supervisor.press("保存")
    supervisor.wait_for_text("走访记录已保存")
    child = region.call(lambda s: s.exec(select(Child)).one())
    visit = region.call(lambda s: s.exec(select(Visit)).one())
    assert visit.author_id == issued.staff.id
    assert str(child.last_visit_on) == "2026-11-02"
    assert child.next_visit_due is not None and child.next_visit_due > date(2026, 11, 30)
    assert not any("张小明" in text for text in reminders_on(region, date(2026, 11, 3)))


def test_urgent_report__raised_while_the_sender_is_down__delivered_once_after_restart(
    fake: FakeTelegram, region: Database, bot_settings: Settings, clock: FakeClock
) -> None:
    first = BotThread(bot_settings, clock=clock).start()
    enrol(fake, region)
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    first.stop()
    driver = FormDriver(region, caller_of(region, 1001))
    driver.begin("urgent_unfiled", answers={"_village": VILLAGE})
    driver.press("跳过")
    driver.type("8")
    driver.type("村口小桥边")
    driver.press("失踪")
    driver.press("完成")
    screen = driver.type("孩子昨晚没有回家")
    assert screen.info.get("notice") == "urgent.raised"
    queued = region.call(lambda s: s.exec(select(OutboxMessage)).all())
    assert any(row.key.startswith("esc:") for row in queued)
    second = BotThread(bot_settings, clock=clock).start()
    try:
        supervisor.wait_for_text("紧急上报", timeout=20)
    finally:
        second.stop()
    third = BotThread(bot_settings, clock=clock).start()
    try:
        supervisor.assert_quiet(3)
    finally:
        third.stop()
    alerts = [m for m in supervisor.messages() if "紧急上报" in m.text]
    assert len(alerts) == 1 and "孩子昨晚没有回家" in alerts[0].text


# A visit that found a problem but was not reported upward: reporting upward is asked only when
# a visit found something.
VISIT_ANSWERS = {
    "kind": ("press", "入户走访"),
    "visited_on": ("press", "今天"),
    **{name: ("press", value) for name, value in QUIET[:2]},
    "problems": ("press", "安全"),
    "problem_safety": ("text", "家中电线裸露"),
    "measures": ("text", "已联系村委会维修"),
    "needs": ("press", "安全防护"),
    "care_needs": ("press", "跳过"),
    **{name: ("press", value) for name, value in QUIET[3:]},
    "flag": ("press", "否"),
}


def open_visit_edit(db: Database, driver: FormDriver, visit_id: int) -> None:
    driver.screen = db.call(
        lambda s: open_form(
            session=s,
            caller=driver.caller,
            form="visit_edit",
            now=NOW,
            today=TODAY,
            policy=POLICY,
            record_id=visit_id,
        )
    )
    assert driver.screen.kind == "review"


def outbox_keys(db: Database) -> list[str]:
    return [row.key for row in db.call(lambda s: s.exec(select(OutboxMessage)).all())]


def test_visit_edit__flag_added_then_removed__flagged_report_raised_once_and_change_told(
    region: Database,
) -> None:
    director = enrol_caller(region, "director", VILLAGE, 1001)
    supervisor = enrol_caller(region, "supervisor", TOWNSHIP, 2001)
    child = file_child(region)
    driver = FormDriver(region, director)
    driver.begin("visit", answers=region.call(lambda s: visit_context(child, TODAY)))
    driver.fill(VISIT_ANSWERS, {"urgent", "met", "problems", "needs"})
    visit_id = driver.press("保存").record_id
    assert visit_id is not None

    open_visit_edit(region, driver, visit_id)
    driver.press("修改上报督导员")
    driver.press("是")
    driver.type("复核后需要乡镇协调")
    assert driver.press("保存").kind == "saved"
    (esc,) = region.call(lambda s: s.exec(select(Escalation)).all())
    assert not esc.urgent and esc.visit_id == visit_id and esc.reason == "复核后需要乡镇协调"
    assert f"esc:{esc.id}:township:{supervisor.staff_id}" in outbox_keys(region)

    open_visit_edit(region, driver, visit_id)  # saved again unchanged: nothing new goes out
    assert driver.press("保存").kind == "saved"
    assert len(region.call(lambda s: s.exec(select(Escalation)).all())) == 1

    open_visit_edit(region, driver, visit_id)
    driver.press("修改上报督导员")
    driver.press("否")
    assert driver.press("保存").kind == "saved"
    told = [k for k in outbox_keys(region) if k.startswith(f"esc:{esc.id}:changed:")]
    assert told and all(k.endswith(f":{supervisor.staff_id}") for k in told)
    assert region.call(lambda s: s.exec(select(Escalation)).one()).state == "open"
