"""Practice mode: made-up children, a full visit and an urgent report that reach no real
supervisor, the supervisor's side played by the trainee, and leaving wipes it all."""

from __future__ import annotations

from sqlmodel import select

from storage.child_models import Child
from storage.county_models import TrainingAttendance, TrainingEvent
from storage.db import Database
from storage.models import AuditEntry, OrgUnit
from storage.outbox_models import OutboxMessage
from storage.visit_models import Escalation, Visit
from tests.e2e.test_chat_foundation import enrol
from tests.e2e.test_chat_visits import QUIET, step
from tests.fakegram import FakeTelegram, FakeUser
from tests.support.botrunner import BotThread
from tests.support.seed import COUNTY, TOWNSHIP


def _practice_visit(director: FakeUser) -> None:
    director.send("走访报告")
    director.wait_for_text("请选择要记录走访的儿童")
    director.press(next(label for label, _ in director.last().buttons() if "练习小明" in label))
    director.wait_for_text("走访方式")
    step(director, "kind", "入户走访")
    step(director, "visited_on", "今天")


def test_practice__urgent_report_stays_inside_and_leaving_wipes_it(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    director, _ = enrol(fake, region)
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    director.send("/practice")
    director.wait_for_text("已进入练习模式")
    director.send("/children")
    listing = director.wait_for(lambda m: "练习小明" in str(m.buttons()))
    names = {label.split("（")[0] for label, _ in listing.buttons()} - {"已结案的档案"}
    assert names == {"练习小明", "练习小红", "练习小刚"}

    _practice_visit(director)
    step(director, "urgent", "失踪")
    director.send("孩子昨晚没有回家")
    director.wait_for_text("110")
    escalation = region.call(lambda s: s.exec(select(Escalation)).one())
    assert escalation.village_code.startswith("99")
    supervisor.assert_quiet(1)
    assert region.call(lambda s: s.exec(select(OutboxMessage)).all()) == []

    director.press("切换为督导员")
    director.wait_for_text("您现在是练习区的乡镇督导员")
    director.send("/escalations")
    listed = director.wait_for_text("练习村")
    assert ("认领", f"esc:ack:{escalation.id}") in listed.buttons()

    director.send("/practice")
    director.wait_for_text("练习模式：您是练习区的乡镇督导员")
    director.press("🚪 退出并清除练习数据")
    director.wait_for_text("清除了 3 份练习档案")
    assert region.call(lambda s: s.exec(select(Child)).all()) == []
    assert region.call(lambda s: s.exec(select(Escalation)).all()) == []
    director.send("/children")
    director.wait_for_text("您的辖区还没有儿童档案")
    practice_units = region.call(lambda s: s.exec(select(OrgUnit).where(OrgUnit.practice)).all())
    assert practice_units and all(u.code.startswith("99") for u in practice_units)
    actions = region.call(lambda s: [a.action for a in s.exec(select(AuditEntry))])
    assert "practice.enter" in actions and "practice.leave" in actions


def test_practice__finished_round_recorded_as_training_attendance(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    director, issued = enrol(fake, region)
    director.send("/practice")
    director.wait_for_text("已进入练习模式")
    director.press("🎓 完成练习并记入培训")
    director.wait_for_text("请至少完成一次练习走访")
    _practice_visit(director)
    for name, value in QUIET:
        step(director, name, value)
    director.press("保存")
    director.wait_for_text("走访记录已保存")
    assert region.call(lambda s: len(s.exec(select(Visit)).all())) == 1
    director.send("/practice")
    director.wait_for_text("走访 1 次")
    director.press("🎓 完成练习并记入培训")
    director.wait_for_text("练习已完成")
    event = region.call(lambda s: s.exec(select(TrainingEvent)).one())
    assert (event.org_code, event.level) == (COUNTY, "county")
    attended = region.call(lambda s: s.exec(select(TrainingAttendance)).one())
    assert (attended.staff_id, attended.source) == (issued.staff.id, "practice")
    assert region.call(lambda s: s.exec(select(Visit)).all()) == []
