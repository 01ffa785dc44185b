"""The spot check in chat: a checker goes through a sampled file's checklist; problems reach the
village's director as tasks; someone not assigned is refused and the attempt audited."""

from __future__ import annotations

import json

from sqlalchemy import delete
from sqlmodel import select

from bot.audit import Actor
from bot.county import spotcheck
from storage.county_models import DirectorTask, SpotCheckChecker, SpotCheckFile
from storage.db import Database
from storage.models import AuditEntry
from tests.e2e.test_chat_foundation import enrol
from tests.fakegram import FakeTelegram, FakeUser
from tests.support.botrunner import BotThread
from tests.support.county import add_children
from tests.support.formdriver import FormDriver
from tests.support.seed import COUNTY, NOW, OTHER_TOWNSHIP, VILLAGE, enrol_caller, invite


def _draw(db: Database, size: int = 2) -> list[int]:
    drawn = db.call(
        lambda s: spotcheck.draw_sample(
            session=s,
            county_code=COUNTY,
            year=2026,
            size=size,
            seed=7,
            actor=Actor.cli(),
            now=NOW,
        )
    )
    return [f.file_id for f in drawn.files]


def _director_with_files(fake: FakeTelegram, db: Database) -> FakeUser:
    director, issued = enrol(fake, db)
    add_children(db, VILLAGE, 3, filed_by=issued.staff.id or 0)
    return director


def test_checklist__admin_checks_a_file__problem_becomes_the_directors_task(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    director = _director_with_files(fake, region)
    admin, _ = enrol(fake, region, 3001, "admin", COUNTY)
    first, _second = _draw(region)
    admin.send("/spotcheck")
    listing = admin.wait_for_text("2026年抽查档案：已完成 0/2 份")
    child = next(label for label, data in listing.buttons() if data == f"sc:{first}")
    admin.press(child)
    admin.wait_for_text("基本信息是否完整")
    admin.press("有问题")
    admin.wait_for_text("请说明问题")
    admin.send("监护人电话已停机，未更新")
    for question in ("按风险等级要求走访", "工作记录和帮扶记录", "解决措施跟进", "个人信息"):
        admin.wait_for_text(question)
        admin.press("符合")
    admin.wait_for(lambda m: "保存" in [label for label, _ in m.buttons()])
    admin.press("保存")
    admin.wait_for_text("抽查结果已保存")

    notice = director.wait_for_text("档案抽查中", timeout=20)
    assert "基本信息：监护人电话已停机，未更新" in notice.text
    director.send("/tasks")
    tasks = director.wait_for_text("抽查发现的待办事项（1 项）")
    assert "基本信息：监护人电话已停机，未更新" in tasks.text
    director.press("✔ 第1项已完成")
    director.wait_for(lambda m: m.text == "没有待办事项。")

    checked = region.call(lambda s: s.get(SpotCheckFile, first))
    assert checked.problems == 1 and checked.checked_at is not None
    results = json.loads(checked.results)
    assert results["basic_info"] == {"ok": False, "note": "监护人电话已停机，未更新"}
    assert all(results[item]["ok"] for item in spotcheck.ITEMS[1:])
    task = region.call(lambda s: s.exec(select(DirectorTask)).one())
    assert (task.item, task.child_id, task.done_at is not None) == (
        "basic_info",
        checked.child_id,
        True,
    )
    admin.send("/spotcheck")
    admin.wait_for_text("已完成 1/2 份")


def test_checklist__supervisor_not_assigned__refused_and_audited_until_assigned(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    _director_with_files(fake, region)
    supervisor, issued = enrol(fake, region, 2002, "supervisor", OTHER_TOWNSHIP)
    first, _ = _draw(region)
    supervisor.send("/spotcheck")
    empty = supervisor.wait_for_text("没有需要您抽查的档案")
    supervisor.press_data(empty, f"sc:{first}")
    supervisor.wait_for_text("您没有被指派抽查这份档案")
    denied = region.call(
        lambda s: s.exec(
            select(AuditEntry).where(AuditEntry.action == "spot_check_file.denied")
        ).all()
    )
    assert [(d.record_id, d.actor_staff_id) for d in denied] == [(str(first), issued.staff.id)]
    assert region.call(lambda s: s.get(SpotCheckFile, first).checked_at) is None

    staff_id = issued.staff.id or 0
    region.call(
        lambda s: spotcheck.assign_checker(
            session=s, county_code=COUNTY, year=2026, staff_id=staff_id, actor=Actor.cli(), now=NOW
        )
    )
    supervisor.send("/spotcheck")
    listing = supervisor.wait_for_text("已完成 0/2 份")
    supervisor.press(next(label for label, data in listing.buttons() if data == f"sc:{first}"))
    supervisor.wait_for_text("基本信息是否完整")


def test_checklist__assignment_withdrawn_before_saving__refused_audited_nothing_saved(
    region: Database,
) -> None:
    director = invite(region, "director", VILLAGE).staff.id or 0
    add_children(region, VILLAGE, 3, filed_by=director)
    supervisor = enrol_caller(region, "supervisor", OTHER_TOWNSHIP, 2002)
    first, _ = _draw(region)
    region.call(
        lambda s: spotcheck.assign_checker(
            session=s,
            county_code=COUNTY,
            year=2026,
            staff_id=supervisor.staff_id,
            actor=Actor.cli(),
            now=NOW,
        )
    )
    checker = FormDriver(region, supervisor)
    checker.begin("spot_check", record_id=first, answers={"child_name": "儿童201000"})
    for _item in spotcheck.ITEMS:
        checker.press("符合")
    region.call(lambda s: s.execute(delete(SpotCheckChecker)))
    screen = checker.press("保存")
    assert screen.error is not None and screen.error.key == "spotcheck.error.not_assigned"
    assert region.call(lambda s: s.get(SpotCheckFile, first).checked_at) is None
    denied = region.call(
        lambda s: s.exec(
            select(AuditEntry).where(AuditEntry.action == "spot_check_file.denied")
        ).all()
    )
    assert [d.actor_staff_id for d in denied] == [supervisor.staff_id]
