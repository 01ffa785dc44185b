"""Visit reports and escalations in chat, delivered through the outbox."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.care.escalations import EscalationPolicy, move_overdue
from bot.people.access import Caller, identify
from bot.settings import Settings
from storage.child_models import Caregiver, Child
from storage.db import Database
from storage.models import AuditEntry
from storage.visit_models import Escalation, EscalationEvent, RiskTierChange, Visit
from tests.e2e.test_chat_foundation import enrol
from tests.fakegram import FakeTelegram, FakeUser, SentMessage
from tests.support.botrunner import BotThread
from tests.support.clock import FakeClock
from tests.support.formdriver import FormDriver
from tests.support.intake import LEFT_BEHIND, MULTI_CHOICE, completes_at_once
from tests.support.seed import CITY, COUNTY, OTHER_TOWNSHIP, PROVINCE, TOWNSHIP

MULTI = {"urgent", "met", "problems", "needs", "changes"}
# A home visit with nothing to report: "none" answers a multiple choice in one tap, the child
# met settles "seen in person", and the media come in one optional step.
QUIET = [
    ("urgent", "以上都没有"),
    ("met", "儿童本人"),
    ("problems", "没有发现问题"),
    ("changes", "都没有变化"),
    ("media", "不添加"),
]
# A phone or video contact: no one met in person, and only a voice note to add.
QUIET_CALL = [
    ("urgent", "以上都没有"),
    ("problems", "没有发现问题"),
    ("changes", "都没有变化"),
    ("call_media", "不添加"),
]


def file_child(db: Database, user_id: int = 1001) -> Child:
    caller = db.call(lambda s: identify(session=s, telegram_user_id=user_id)).caller
    assert isinstance(caller, Caller)
    driver = FormDriver(db, caller)
    driver.begin()
    driver.fill(LEFT_BEHIND, MULTI_CHOICE)
    driver.press("保存")
    return db.call(lambda s: s.exec(select(Child)).one())


def step(user: FakeUser, name: str, value: str, typed: bool = False) -> SentMessage:
    """Answer one question and wait for the next one."""
    user.send(value) if typed else user.press(value)
    if name in MULTI and not completes_at_once("visit", name, value):
        user.wait_for(lambda m: "✅" in str(m.buttons()))
        user.press("完成")
    return user.wait_for(lambda m: bool(m.buttons()))


def start_visit(user: FakeUser, kind: str = "入户走访") -> None:
    user.send("走访报告")
    user.wait_for_text("请选择要记录走访的儿童")
    user.press(next(label for label, _ in user.last().buttons() if label.startswith("张小明")))
    user.wait_for_text("走访方式")
    step(user, "kind", kind)
    step(user, "visited_on", "今天")


@pytest.fixture
def director(fake: FakeTelegram, region: Database, bot: BotThread) -> FakeUser:
    user, _ = enrol(fake, region)
    file_child(region)
    return user


def test_visit__home_visit_no_problems__saved_and_dates_updated(
    director: FakeUser, region: Database
) -> None:
    start_visit(director)
    for name, value in QUIET:
        reply = step(director, name, value)
    assert "核对无误" in reply.text
    director.press("保存")
    director.wait_for_text("走访记录已保存")
    child = region.call(lambda s: s.exec(select(Child)).one())
    assert str(child.last_visit_on) == "2026-11-02"
    assert child.next_visit_due is not None and str(child.next_visit_due) == "2026-12-31"
    assert region.call(lambda s: s.exec(select(Escalation)).all()) == []


def test_visit__last_answer__review_summary_replaces_question_and_save_clears_buttons(
    director: FakeUser,
) -> None:
    start_visit(director)
    for name, value in QUIET[:-1]:
        question = step(director, name, value)
    sent_before = len(director.messages())
    review = step(director, *QUIET[-1])
    assert "核对无误" in review.text and "保存" in [label for label, _ in review.buttons()]
    # The summary took the last question's place; only the part with the buttons is new.
    summary = next(m for m in director.messages() if m.message_id == question.message_id)
    assert summary.edited and "走访方式" in summary.text and summary.buttons() == []
    assert len(director.messages()) == sent_before + 1
    director.press("保存")
    saved = director.wait_for_text("走访记录已保存")
    assert saved.message_id != review.message_id
    assert director.messages()[-2].message_id == review.message_id
    assert director.messages()[-2].buttons() == []


def test_visit__phone_contact__counts_as_contact(director: FakeUser, region: Database) -> None:
    start_visit(director, "电话视频联系")
    for name, value in QUIET_CALL:
        step(director, name, value)
    director.press("保存")
    director.wait_for_text("走访记录已保存")
    child = region.call(lambda s: s.exec(select(Child)).one())
    assert str(child.last_contact_on) == "2026-11-02" and child.last_visit_on is None
    visit = region.call(lambda s: s.exec(select(Visit)).one())
    assert visit.kind == "contact"


def flagged_visit(director: FakeUser) -> None:
    start_visit(director)
    for name, value in QUIET[:2]:
        step(director, name, value)
    step(director, "problems", "安全")
    step(director, "problem_safety", "家中电线裸露", typed=True)
    step(director, "measures", "已联系村委会维修", typed=True)
    step(director, "needs", "安全防护")
    step(director, "care_needs", "跳过")
    for name, value in QUIET[3:]:
        step(director, name, value)
    step(director, "flag", "是")
    step(director, "flag_reason", "需要乡镇协调维修资金", typed=True)
    director.press("保存")
    director.wait_for_text("走访记录已保存")


def test_flagged_report__acknowledged_and_resolved__director_told_each_step(
    fake: FakeTelegram, region: Database, bot: BotThread, director: FakeUser
) -> None:
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    flagged_visit(director)
    report = supervisor.wait_for_text("儿童主任上报", timeout=15)
    # Everything the responder needs, numbers in full (the ID number stays masked).
    assert "张小明" in report.text and "3501**********1239" in report.text
    assert "溪头村" in report.text and "闽侯县白沙镇溪头村 12 号" in report.text
    assert "家中电线裸露" in report.text and "已联系村委会维修" in report.text
    assert "张大山，电话 13812345678" in report.text and "李秀英，电话 13912345678" in report.text
    assert "张老汉，电话 15012345678" in report.text
    assert "儿童主任：王芳，电话 13812345678" in report.text
    assert "上报时间：2026-11-02 09:00" in report.text and "尚无人认领" in report.text
    director.wait_for_text("已将小明的情况上报", timeout=15)
    supervisor.press("认领", report)
    supervisor.wait_for_text("您已认领")
    director.wait_for_text("已认领关于小明的上报", timeout=15)
    supervisor.press("已解决", report)
    supervisor.wait_for_text("处理结果说明")
    supervisor.send("已协调民政救助资金维修")
    supervisor.wait_for_text("确认保存以上内容吗")
    supervisor.press("保存")
    supervisor.wait_for_text("已标记为处理完毕")
    director.wait_for_text("处理完毕：已协调民政救助资金维修", timeout=15)
    actions = region.call(lambda s: [e.action for e in s.exec(select(EscalationEvent)).all()])
    assert actions == ["raised", "told", "acknowledged", "resolved"]


def test_ask_the_director__question_and_reply_reach_each_other(
    fake: FakeTelegram, region: Database, bot: BotThread, director: FakeUser
) -> None:
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    flagged_visit(director)
    report = supervisor.wait_for_text("儿童主任上报", timeout=15)
    supervisor.press("询问儿童主任", report)
    supervisor.wait_for_text("要询问的问题")
    supervisor.send("孩子现在住在哪里？")
    supervisor.wait_for_text("确认保存以上内容吗")
    supervisor.press("保存")
    question = director.wait_for_text("孩子现在住在哪里", timeout=15)
    director.press("回复", question)
    director.wait_for_text("您的回复")
    director.send("住在外婆家")
    director.wait_for_text("确认保存以上内容吗")
    director.press("保存")
    supervisor.wait_for_text("住在外婆家", timeout=15)


def test_urgent_report__raised_before_the_form_is_finished(
    fake: FakeTelegram, region: Database, bot: BotThread, director: FakeUser
) -> None:
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    start_visit(director)
    step(director, "urgent", "失踪")
    director.send("孩子昨晚没有回家")
    director.wait_for_text("110")
    alert = supervisor.wait_for_text("紧急上报", timeout=15)
    assert "失踪" in alert.text and "孩子昨晚没有回家" in alert.text
    assert region.call(lambda s: s.exec(select(Escalation)).one().urgent)
    assert region.call(lambda s: s.exec(select(Visit)).all()) == []


def test_urgent_not_acknowledged__goes_to_county_after_sla(
    fake: FakeTelegram, region: Database, bot: BotThread, director: FakeUser, clock: FakeClock
) -> None:
    enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    admin, _ = enrol(fake, region, 3001, "admin", COUNTY)
    start_visit(director)
    step(director, "urgent", "失踪")
    director.send("孩子昨晚没有回家")
    director.wait_for_text("110")
    policy = EscalationPolicy()
    clock.advance(timedelta(minutes=59))
    assert region.call(lambda s: move_overdue(session=s, now=clock(), policy=policy)) == 0
    clock.advance(timedelta(minutes=2))
    assert region.call(lambda s: move_overdue(session=s, now=clock(), policy=policy)) == 1
    moved = admin.wait_for_text("未在规定时间内认领", timeout=15)
    assert "紧急上报" in moved.text


def test_urgent_report__configured_sla__sets_when_it_goes_to_county(
    fake: FakeTelegram, region: Database, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    settings = make_settings(telegram_api_url=fake.api_url, escalation_urgent_sla_minutes=15)
    runner = BotThread(settings, clock=clock).start()
    try:
        director, _ = enrol(fake, region)
        file_child(region)
        enrol(fake, region, 2001, "supervisor", TOWNSHIP)
        start_visit(director)
        step(director, "urgent", "失踪")
        director.send("孩子昨晚没有回家")
        director.wait_for_text("110")
        escalation = region.call(lambda s: s.exec(select(Escalation)).one())
        assert escalation.due_by - escalation.raised_at == timedelta(minutes=15)
    finally:
        runner.stop()


def test_no_supervisor_in_township__goes_to_county_at_once(
    fake: FakeTelegram, region: Database, bot: BotThread, director: FakeUser
) -> None:
    admin, _ = enrol(fake, region, 3001, "admin", COUNTY)
    flagged_visit(director)
    assert "没有在岗的儿童督导员" in admin.wait_for_text("儿童主任上报", timeout=15).text
    director.wait_for_text("直接上报县民政局", timeout=15)


def test_no_supervisor_nor_county_admin__goes_to_the_city_admins_at_once(
    fake: FakeTelegram, region: Database, bot: BotThread, director: FakeUser
) -> None:
    city_admin, _ = enrol(fake, region, 3002, "admin", CITY)
    province_admin, _ = enrol(fake, region, 3003, "admin", PROVINCE)
    flagged_visit(director)
    report = city_admin.wait_for_text("儿童主任上报", timeout=15).text
    assert "县级也无人在岗，直接上报市级" in report
    director.wait_for_text("直接上报市民政局", timeout=15)
    assert region.call(lambda s: s.exec(select(Escalation)).one().level) == "city"
    time.sleep(1)  # the province admin may get the weekly roll-up, never the report itself
    assert not [m for m in province_admin.messages() if "儿童主任上报" in m.text]


def test_nobody_below_the_province__goes_to_the_province_admins(
    fake: FakeTelegram, region: Database, bot: BotThread, director: FakeUser
) -> None:
    province_admin, _ = enrol(fake, region, 3003, "admin", PROVINCE)
    flagged_visit(director)
    report = province_admin.wait_for_text("儿童主任上报", timeout=15).text
    assert "直接上报省级" in report
    director.wait_for_text("直接上报省民政厅", timeout=15)
    assert region.call(lambda s: s.exec(select(Escalation)).one().level) == "province"


def test_urgent_not_acknowledged__county_without_admin__goes_to_the_city_after_sla(
    fake: FakeTelegram, region: Database, bot: BotThread, director: FakeUser, clock: FakeClock
) -> None:
    enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    city_admin, _ = enrol(fake, region, 3002, "admin", CITY)
    start_visit(director)
    step(director, "urgent", "失踪")
    director.send("孩子昨晚没有回家")
    director.wait_for_text("110")
    clock.advance(timedelta(minutes=61))
    policy = EscalationPolicy(urgent_sla=timedelta(hours=1))
    assert region.call(lambda s: move_overdue(session=s, now=clock(), policy=policy)) == 1
    moved = city_admin.wait_for_text("县级无人在岗，转报市级", timeout=15)
    assert "紧急上报" in moved.text
    events = region.call(lambda s: [e.action for e in s.exec(select(EscalationEvent)).all()])
    assert events == ["raised", "told", "to_city", "told"]


def test_supervisor_blocked_the_bot__goes_to_county(
    fake: FakeTelegram, region: Database, bot: BotThread, director: FakeUser
) -> None:
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    admin, _ = enrol(fake, region, 3001, "admin", COUNTY)
    supervisor.block()
    flagged_visit(director)
    assert "无法联系到乡镇督导员" in admin.wait_for_text("儿童主任上报", timeout=20).text
    assert region.call(lambda s: s.exec(select(Escalation)).one().level) == "county"


def test_other_township_supervisor__cannot_act_and_is_audited(
    fake: FakeTelegram, region: Database, bot: BotThread, director: FakeUser
) -> None:
    enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    stranger, _ = enrol(fake, region, 2002, "supervisor", OTHER_TOWNSHIP)
    flagged_visit(director)
    region.call(lambda s: s.exec(select(Escalation)).one())
    stranger.press_data(stranger.last(), "esc:ack:1")
    stranger.wait_for_text("不在您的辖区")
    esc = region.call(lambda s: s.exec(select(Escalation)).one())
    assert esc.state == "open"
    denied = region.call(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "escalation.denied")).all()
    )
    assert len(denied) == 1


def test_visit__tier_change_caregiver_change_photo__file_updated_with_history(
    director: FakeUser, region: Database
) -> None:
    start_visit(director)
    for name, value in QUIET[:3]:
        step(director, name, value)
    director.press("照护人或委托监护有变化")
    director.wait_for(lambda m: "✅" in str(m.buttons()))
    step(director, "changes", "监护风险等级需要调整")
    step(director, "caregiver_relation", "亲戚朋友")
    step(director, "caregiver_name", "李阿姨", typed=True)
    step(director, "caregiver_phone", "13712345678", typed=True)
    step(director, "risk_change", "改为高风险")
    step(director, "risk_reason", "照护人年老体弱", typed=True)
    director.send_photo()
    director.wait_for_text("已收到：[照片]")
    step(director, "media", "完成")
    director.press("保存")
    director.wait_for_text("走访记录已保存")
    child = region.call(lambda s: s.exec(select(Child)).one())
    assert child.risk_tier == "high"
    changes = region.call(lambda s: s.exec(select(RiskTierChange)).all())
    assert [(c.tier_before, c.tier_after, c.reason) for c in changes] == [
        ("medium", "high", "照护人年老体弱")
    ]
    caregiver = region.call(lambda s: s.exec(select(Caregiver)).one())
    assert (caregiver.relation, caregiver.name) == ("relatives", "李阿姨")
    visit = region.call(lambda s: s.exec(select(Visit)).one())
    assert '"photo": {"file_id":' in visit.media


def test_visit__older_than_30_days__asks_to_confirm_the_date(director: FakeUser) -> None:
    director.send("走访报告")
    director.wait_for_text("请选择要记录走访的儿童")
    director.press(
        next(label for label, _ in director.last().buttons() if label.startswith("张小明"))
    )
    director.wait_for_text("走访方式")
    step(director, "kind", "入户走访")
    confirm = step(director, "visited_on", "2026-09-01", typed=True)
    assert "30 天以前" in confirm.text
    again = step(director, "old_date_confirm", "否")
    assert "请输入走访日期" in again.text


def test_card__shows_visit_history_and_author_corrects_visit_with_audit(
    director: FakeUser, region: Database
) -> None:
    start_visit(director)
    for name, value in QUIET:
        step(director, name, value)
    director.press("保存")
    director.wait_for_text("走访记录已保存")
    director.send("我的儿童")
    director.wait_for_text("儿童档案")
    director.press(
        next(label for label, _ in director.last().buttons() if label.startswith("张小明"))
    )
    actions = director.wait_for(lambda m: "修改 2026-11-02 的走访记录" in m.button_texts())
    assert "2026-11-02 入户走访：没有发现问题" in "\n".join(m.text for m in director.messages())
    director.press("修改 2026-11-02 的走访记录", actions)
    director.wait_for_text("核对无误")
    director.press("修改走访基本情况")
    director.wait_for_text("当前填写：入户走访")
    step(director, "kind", "电话视频联系")
    step(director, "visited_on", "不修改")
    # A contact has no one met in person; its media step is a voice note only.
    review = step(director, "call_media", "不添加")
    assert "核对无误" in review.text
    director.press("保存")
    director.wait_for_text("走访记录的修改已保存")
    child = region.call(lambda s: s.exec(select(Child)).one())
    assert child.last_visit_on is None and str(child.last_contact_on) == "2026-11-02"
    edits = region.call(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "visit.edit")).all()
    )
    assert [(e.old_value, e.new_value) for e in edits] == [
        ('{"kind": "home_visit"}', '{"kind": "contact"}'),
        ('{"met": ["child"]}', '{"met": null}'),
    ]


def test_escalations_command__lists_open_ones_oldest_first(
    fake: FakeTelegram, region: Database, bot: BotThread, director: FakeUser
) -> None:
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    supervisor.send("/escalations")
    assert "没有待处理" in supervisor.reply().text
    flagged_visit(director)
    supervisor.wait_for_text("儿童主任上报", timeout=15)
    supervisor.send("预警上报")
    listed = supervisor.wait_for_text("#1 小明")
    assert "溪头村" in listed.text and "认领" in listed.button_texts()
