"""Urgent reports at any time: for a child on file, for one not yet on file, by a supervisor."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from storage.child_models import Child
from storage.db import Database
from storage.models import AuditEntry
from storage.visit_models import Escalation, EscalationEvent, Visit
from tests.e2e.test_chat_foundation import enrol
from tests.e2e.test_chat_visits import file_child
from tests.fakegram import FakeTelegram, FakeUser, SentMessage
from tests.support.botrunner import BotThread
from tests.support.seed import COUNTY, OTHER_VILLAGE, TOWNSHIP, VILLAGE

URGENT_MENU = "🚨 紧急报告"
UNFILED = "➕ 儿童尚未建档"


def question(user: FakeUser, text: str) -> SentMessage:
    return user.wait_for(lambda m: text in m.text and bool(m.buttons()))


def tick_and_finish(user: FakeUser, *labels: str) -> None:
    """Tick situations on the question in front, then press Done."""
    for label in labels:
        user.press(label)
        user.wait_for(lambda m, label=label: f"✅ {label}" in str(m.buttons()))
    user.press("完成")


def report_unfiled_child(director: FakeUser) -> None:
    """Name unknown, about 8, by the bridge, alone: the report goes out at the note."""
    director.send(URGENT_MENU)
    director.wait_for_text("请选择要紧急报告的儿童")
    director.press(UNFILED)
    question(director, "儿童姓名")
    director.press("跳过")
    question(director, "大约年龄")
    director.send("8")
    director.wait_for_text("儿童现在在哪里")
    director.send("村口小桥边")
    question(director, "发现的情形")
    tick_and_finish(director, "脱离监护单独居住生活")
    director.wait_for_text("情况简述")
    director.send("孩子一个人在桥边哭，说家里没人")
    director.wait_for_text("110")


def escalations(db: Database) -> list[Escalation]:
    return list(db.call(lambda s: s.exec(select(Escalation)).all()))


def children(db: Database) -> list[Child]:
    return list(db.call(lambda s: s.exec(select(Child)).all()))


@pytest.fixture
def director(fake: FakeTelegram, region: Database, bot: BotThread) -> FakeUser:
    user, _ = enrol(fake, region)
    return user


@pytest.fixture
def supervisor(fake: FakeTelegram, region: Database, bot: BotThread) -> FakeUser:
    user, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    return user


def media_photo_id(note: str | None) -> str:
    photo: str = json.loads(note or "{}")["photo"]["file_id"]
    return photo


def test_urgent_report__unfiled_child__supervisor_alerted_and_placeholder_file_opened(
    director: FakeUser, supervisor: FakeUser, region: Database
) -> None:
    report_unfiled_child(director)
    alert = supervisor.wait_for_text("紧急上报", timeout=15)
    assert "脱离监护单独居住生活" in alert.text and "孩子一个人在桥边哭" in alert.text
    assert "村口小桥边" in alert.text and "待补全档案" in alert.text
    assert "认领" in alert.button_texts()
    director.wait_for_text("已将", timeout=15)
    (child,) = children(region)
    assert child.placeholder and child.name == "?" and child.village_code == VILLAGE
    assert child.category == "pending" and child.risk_tier == "high"
    assert child.birth_date.year == 2018 and child.home_address == "村口小桥边"
    (esc,) = escalations(region)
    assert esc.urgent and esc.child_id == child.id and esc.reason == "urgent:alone"
    # The photo and location are still asked; the report has gone already.
    question(director, "现场照片")
    director.send_photo()
    question(director, "位置")
    director.send_location(26.08, 119.3)
    director.wait_for_text("核对无误")
    director.press("保存")
    director.wait_for_text("紧急报告已保存")
    media = region.call(
        lambda s: s.exec(select(EscalationEvent).where(EscalationEvent.action == "media")).one()
    )
    assert set(json.loads(media.note or "{}")) == {"photo", "location"}
    assert len(escalations(region)) == 1 and len(children(region)) == 1
    # The responder gets them too: the director's own photo, and the place with a map link.
    sent = supervisor.wait_for(lambda m: m.kind == "photo", timeout=15)
    assert sent.file is not None and sent.file.file_id == media_photo_id(media.note)
    assert "现场照片和位置" in sent.text and "26.08000, 119.30000" in sent.text
    assert "uri.amap.com/marker?position=119.300000,26.080000" in (sent.html or "")


def test_urgent_report__child_on_file__supervisor_alerted_at_the_note(
    director: FakeUser, supervisor: FakeUser, region: Database
) -> None:
    file_child(region)
    director.send("/urgent")
    director.wait_for_text("请选择要紧急报告的儿童")
    director.press("张小明")
    question(director, "发现的情形")
    tick_and_finish(director, "失踪", "疑似遭受家庭暴力")
    director.wait_for_text("情况简述")
    director.send("孩子昨晚没有回家")
    director.wait_for_text("110")
    alert = supervisor.wait_for_text("紧急上报", timeout=15)
    assert "失踪" in alert.text and "疑似遭受家庭暴力" in alert.text
    assert "孩子昨晚没有回家" in alert.text and "小明" in alert.text
    (esc,) = escalations(region)
    assert esc.urgent and esc.reason == "urgent:missing,domestic_violence"
    assert region.call(lambda s: s.exec(select(Visit)).all()) == []
    assert len(children(region)) == 1 and not children(region)[0].placeholder


def test_supervisor__urgent_report__picks_village_then_unfiled_child(
    fake: FakeTelegram, supervisor: FakeUser, region: Database
) -> None:
    supervisor.send(URGENT_MENU)
    villages = supervisor.wait_for_text("请选择儿童所在的村")
    assert set(villages.button_texts()) == {"溪头村", "上洋村"}  # not the other township's
    supervisor.press("上洋村")
    supervisor.wait_for_text("请选择要紧急报告的儿童")
    supervisor.press(UNFILED)
    question(supervisor, "儿童姓名")
    supervisor.send("李小花")
    question(supervisor, "大约年龄")
    supervisor.press("跳过")
    supervisor.wait_for_text("儿童现在在哪里")
    supervisor.send("上洋村小卖部门口")
    question(supervisor, "发现的情形")
    tick_and_finish(supervisor, "疑似遭受意外伤害或不法侵害")
    supervisor.wait_for_text("情况简述")
    supervisor.send("腿上有伤，哭着说被人打了")
    supervisor.wait_for_text("110")
    (child,) = children(region)
    assert child.name == "李小花" and child.placeholder and child.village_code.endswith("202")
    (esc,) = escalations(region)
    assert esc.urgent and esc.raised_by == child.filed_by


def test_supervisor__urgent_report__child_on_file__goes_to_the_county_not_back_to_them(
    fake: FakeTelegram, supervisor: FakeUser, director: FakeUser, region: Database
) -> None:
    county_admin, _ = enrol(fake, region, 3001, "admin", COUNTY)
    file_child(region)
    supervisor.send("/urgent")
    supervisor.wait_for_text("请选择儿童所在的村")
    supervisor.press("溪头村")
    supervisor.wait_for_text("请选择要紧急报告的儿童")
    supervisor.press("张小明")
    question(supervisor, "发现的情形")
    tick_and_finish(supervisor, "监护人丧失监护能力或不履行监护责任")
    supervisor.wait_for_text("情况简述")
    supervisor.send("爷爷住院，孩子无人照看")
    supervisor.wait_for_text("110")
    county_admin.wait_for_text("爷爷住院", timeout=15)
    (esc,) = escalations(region)
    assert esc.urgent and esc.reason == "urgent:guardian_incapable" and esc.level == "county"
    assert len(children(region)) == 1
    assert not any("紧急上报" in m.text for m in supervisor.messages()), supervisor.transcript()


def test_urgent_report__nothing_ticked_spaces_or_photo_for_a_note__refused_nothing_sent(
    director: FakeUser, supervisor: FakeUser, region: Database
) -> None:
    file_child(region)
    supervisor.wait_for_text("新建档案待审核", timeout=15)  # the new file's review, not a report
    director.send("/urgent")
    director.wait_for_text("请选择要紧急报告的儿童")
    director.press("张小明")
    question(director, "发现的情形")
    director.press("完成")
    director.wait_for(lambda m: "请至少选择一项" in m.text)
    tick_and_finish(director, "失踪")
    director.wait_for_text("情况简述")
    director.send("    ")
    director.wait_for_text("内容是空的")
    director.send_photo()
    director.wait_for_text("这一项不需要照片")
    assert escalations(region) == []
    supervisor.assert_quiet(0.5)
    director.send("孩子昨晚没有回家")
    director.wait_for_text("110")
    assert len(escalations(region)) == 1


def test_urgent_report__forged_village_or_stale_child__refused_and_audited(
    director: FakeUser, region: Database
) -> None:
    file_child(region)
    director.send("/urgent")
    picker = director.wait_for_text("请选择要紧急报告的儿童")
    director.press_data(picker, f"uu:{OTHER_VILLAGE}")
    director.wait_for_text("该村不在您的辖区内")
    director.press_data(picker, "uc:999")
    director.wait_for_text("找不到这份档案")
    denied = region.call(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action.endswith("denied"))).all()
    )
    assert {e.table_name for e in denied} >= {"org_unit", "child"}
    assert escalations(region) == [] and len(children(region)) == 1


def test_admin__urgent_command__told_to_call_110(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    admin, _ = enrol(fake, region, 3001, "admin", "350121")
    admin.send("/urgent")
    admin.wait_for_text("不能发起紧急报告")
