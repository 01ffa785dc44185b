"""The escalation ladder in chat: the whole report at every level, all the way up, the truth to
the director, who else was informed, and follow-up until resolved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.audit import Actor
from bot.care.escalations import (
    EscalationPolicy,
    chase_acknowledged,
    informed_records,
    move_overdue,
)
from bot.cli import main
from bot.people.access import Caller, identify
from bot.people.staff import revoke_staff
from storage.db import Database
from storage.models import AuditEntry
from storage.visit_models import Escalation, EscalationMeasure
from tests.conftest import TEST_DATA_KEY
from tests.e2e.test_chat_foundation import enrol
from tests.e2e.test_chat_visits import flagged_visit, start_visit, step
from tests.fakegram import FakeTelegram, FakeUser
from tests.support.botrunner import BotThread
from tests.support.clock import FakeClock
from tests.support.seed import COUNTY, OTHER_TOWNSHIP, TOWNSHIP

POLICY = EscalationPolicy()  # the bot's defaults: 1 hour urgent, 3 days' follow-up


def urgent_report(director: FakeUser) -> None:
    start_visit(director)
    step(director, "urgent", "失踪")
    director.send("孩子昨晚没有回家")
    director.wait_for_text("110")


def audited(db: Database, action: str) -> list[AuditEntry]:
    return db.call(
        lambda s: list(s.exec(select(AuditEntry).where(AuditEntry.action == action)).all())
    )


def escalation(db: Database) -> Escalation:
    return db.call(lambda s: s.exec(select(Escalation)).one())


@pytest.fixture
def director(fake: FakeTelegram, region: Database, bot: BotThread) -> FakeUser:
    from tests.e2e.test_chat_visits import file_child

    user, _ = enrol(fake, region)
    file_child(region)
    return user


def test_no_supervisor__county_gets_the_whole_report_and_director_is_told_who(
    fake: FakeTelegram, region: Database, director: FakeUser
) -> None:
    admin, _ = enrol(fake, region, 3001, "admin", COUNTY)
    flagged_visit(director)
    report = admin.wait_for_text("儿童主任上报", timeout=15).text
    assert "没有在岗的儿童督导员" in report
    for shown in ("张小明", "溪头村", "白沙镇溪头村 12 号", "家中电线裸露", "15012345678"):
        assert shown in report
    assert "已通知：王芳（县民政局）" in report
    told = director.wait_for_text("直接上报县民政局", timeout=15).text
    assert "接收人：王芳（县民政局）" in told
    admin.press("认领", admin.wait_for_text("儿童主任上报"))
    director.wait_for_text("县民政局 王芳 已认领关于小明的上报", timeout=15)
    # Showing the family's numbers in full is audited, numbers masked in the log.
    shown = audited(region, "escalation.full_numbers_shown")
    assert len(shown) == 1 and "150****5678" in (shown[0].new_value or "")
    assert "15012345678" not in (shown[0].new_value or "")


def test_nobody_anywhere__director_told_plainly_listed_unrouted_then_shown_to_next_admin(
    fake: FakeTelegram,
    region: Database,
    director: FakeUser,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    flagged_visit(director)
    plain = director.wait_for_text("没有任何人可以接收", timeout=15).text
    assert "110" in plain and "120" in plain
    assert escalation(region).unrouted_at is not None
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATA_KEY", TEST_DATA_KEY)
    assert main(["escalations", "unrouted"]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("1\t350121100201\tflagged\ttownship")
    admin, _ = enrol(fake, region, 3001, "admin", COUNTY)
    report = admin.wait_for_text("儿童主任上报", timeout=15).text
    assert "张小明" in report and "家中电线裸露" in report
    director.wait_for_text("现已送达", timeout=15)
    esc = escalation(region)
    assert esc.unrouted_at is None and esc.level == "county"
    assert main(["escalations", "unrouted"]) == 0
    assert "没有无人接收的上报" in capsys.readouterr().out


def test_urgent_not_acknowledged__county_copy_carries_the_report_and_its_history(
    fake: FakeTelegram, region: Database, director: FakeUser, clock: FakeClock
) -> None:
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    admin, _ = enrol(fake, region, 3001, "admin", COUNTY)
    urgent_report(director)
    report = supervisor.wait_for_text("紧急上报", timeout=15)
    supervisor.press("询问儿童主任", report)
    supervisor.wait_for_text("要询问的问题")
    supervisor.send("孩子最后一次出现在哪里？")
    supervisor.wait_for_text("确认保存以上内容吗")
    supervisor.press("保存")
    director.wait_for_text("孩子最后一次出现在哪里", timeout=15)
    clock.advance(timedelta(minutes=61))
    assert region.call(lambda s: move_overdue(session=s, now=clock(), policy=POLICY)) == 1
    moved = admin.wait_for_text("未在规定时间内认领", timeout=15).text
    for shown in ("紧急上报", "张小明", "失踪", "孩子昨晚没有回家", "溪头村 12 号"):
        assert shown in moved
    assert "张大山，电话 13812345678" in moved and "儿童主任：王芳" in moved
    assert "已通知：王芳（乡镇儿童督导员）" in moved and "尚无人认领" in moved
    assert "处理经过" in moved and "询问：孩子最后一次出现在哪里" in moved
    assert "转报县级" in moved
    director.wait_for_text("已转报上级", timeout=15)


def test_acknowledged_but_unresolved__owner_reminded__then_it_climbs(
    fake: FakeTelegram, region: Database, director: FakeUser, clock: FakeClock
) -> None:
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    admin, _ = enrol(fake, region, 3001, "admin", COUNTY)
    urgent_report(director)
    supervisor.press("认领", supervisor.wait_for_text("紧急上报", timeout=15))
    supervisor.wait_for_text("您已认领")
    clock.advance(timedelta(days=2))
    assert region.call(lambda s: chase_acknowledged(session=s, now=clock(), policy=POLICY)) == 0
    clock.advance(timedelta(days=1, minutes=1))
    assert region.call(lambda s: chase_acknowledged(session=s, now=clock(), policy=POLICY)) == 1
    supervisor.wait_for_text("3 天仍未处理完毕", timeout=15)
    assert escalation(region).level == "township"
    admin.assert_quiet(0.5)
    clock.advance(timedelta(days=3, minutes=1))
    assert region.call(lambda s: chase_acknowledged(session=s, now=clock(), policy=POLICY)) == 1
    moved = admin.wait_for_text("认领后长期未处理完毕，转报县级", timeout=15).text
    assert "王芳（乡镇儿童督导员）认领" in moved and "已提醒认领人" in moved
    esc = escalation(region)
    assert (esc.level, esc.state, esc.owner_id) == ("county", "open", None)


def test_revoked_owner__report_goes_back_to_the_other_supervisors_at_once(
    fake: FakeTelegram, region: Database, director: FakeUser, clock: FakeClock
) -> None:
    owner, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    colleague, _ = enrol(fake, region, 2002, "supervisor", TOWNSHIP)
    urgent_report(director)
    owner.press("认领", owner.wait_for_text("紧急上报", timeout=15))
    owner.wait_for_text("您已认领")
    colleague.wait_for_text("已由 王芳 认领", timeout=15)
    mark = colleague.mark()
    owner_id = escalation(region).owner_id
    assert owner_id is not None
    region.call(
        lambda s: revoke_staff(session=s, staff_id=owner_id, actor=Actor.cli(), now=clock())
    )
    again = colleague.wait_for_text("原认领人已停用", since=mark, timeout=15).text
    assert "紧急上报" in again and "张小明" in again
    esc = escalation(region)
    assert (esc.state, esc.owner_id, esc.level) == ("open", None, "township")


def test_what_was_done__buttons_recorded_shown_in_report_card_and_export(
    fake: FakeTelegram, region: Database, director: FakeUser, clock: FakeClock
) -> None:
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    admin, _ = enrol(fake, region, 3001, "admin", COUNTY)
    urgent_report(director)
    report = supervisor.wait_for_text("紧急上报", timeout=15)
    assert {"已报警 110", "已叫急救 120", "已告知学校", "已告知其他"} <= set(report.button_texts())
    clock.advance(timedelta(minutes=5))
    supervisor.press("已报警 110", report)
    supervisor.wait_for_text("已记录上报 #1：已报警（110）（2026-11-02 09:05）")
    director.wait_for_text("记录了“已报警（110）”", timeout=15)
    supervisor.press("已报警 110", report)  # a second press keeps the first time
    supervisor.wait_for_text("（2026-11-02 09:05）")
    measures = region.call(lambda s: list(s.exec(select(EscalationMeasure)).all()))
    assert [(m.kind, m.informed_at) for m in measures] == [("police", clock())]
    clock.advance(timedelta(minutes=60))
    region.call(lambda s: move_overdue(session=s, now=clock(), policy=POLICY))
    moved = admin.wait_for_text("未在规定时间内认领", timeout=15).text
    assert "✅ 已报警（110）：2026-11-02 09:05" in moved
    director.send("我的儿童")
    # Notices of the report may arrive after the list: find the list itself.
    listing = director.wait_for(lambda m: any(b.startswith("张小明") for b in m.button_texts()))
    director.press(next(b for b in listing.button_texts() if b.startswith("张小明")), listing)
    director.wait_for_text("紧急上报处置", timeout=10)
    caller = region.call(lambda s: identify(session=s, telegram_user_id=3001)).caller
    assert isinstance(caller, Caller)
    rows = region.call(lambda s: informed_records(session=s, caller=caller))
    assert [(r.escalation_id, r.kind) for r in rows] == [(1, "police")]


def test_forged_and_stale_presses__refused_nothing_changes_and_audited(
    fake: FakeTelegram, region: Database, director: FakeUser
) -> None:
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    stranger, _ = enrol(fake, region, 2002, "supervisor", OTHER_TOWNSHIP)
    urgent_report(director)
    report = supervisor.wait_for_text("紧急上报", timeout=15)
    stranger.press_data(stranger.last(), "esi:police:1")
    stranger.wait_for_text("不在您的辖区")
    assert region.call(lambda s: s.exec(select(EscalationMeasure)).all()) == []
    supervisor.press("已解决", report)
    supervisor.wait_for_text("处理结果说明")
    supervisor.send("孩子已找到，在亲戚家")
    supervisor.wait_for_text("确认保存以上内容吗")
    supervisor.press("保存")
    supervisor.wait_for_text("已标记为处理完毕")
    supervisor.press("认领", report)  # the old message's button, after it was resolved
    supervisor.wait_for_text("这条上报已处理完毕")
    esc = escalation(region)
    assert (esc.state, esc.resolution) == ("resolved", "孩子已找到，在亲戚家")
    assert len(audited(region, "escalation.denied")) == 2


def test_supervisor_blocked_the_bot__next_report_skips_the_township_at_once(
    fake: FakeTelegram, region: Database, director: FakeUser
) -> None:
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    admin, _ = enrol(fake, region, 3001, "admin", COUNTY)
    supervisor.block()
    flagged_visit(director)
    admin.wait_for_text("无法联系到乡镇督导员", timeout=20)
    mark = admin.mark()
    urgent_report(director)
    # The supervisor's last message was refused (403): the urgent one goes to the county now,
    # not after the township's hour.
    report = admin.wait_for_text("紧急上报", since=mark, timeout=15).text
    assert "孩子昨晚没有回家" in report
    urgent = region.call(
        lambda s: s.exec(select(Escalation).where(Escalation.urgent == True)).one()  # noqa: E712
    )
    assert urgent.level == "county"


def test_not_acknowledged_and_nobody_above__stays_with_the_township_not_called_unrouted(
    fake: FakeTelegram, region: Database, director: FakeUser, clock: FakeClock
) -> None:
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    urgent_report(director)
    supervisor.wait_for_text("紧急上报", timeout=15)
    director.wait_for_text("已将小明的情况上报", timeout=15)  # told who has it; then quiet
    clock.advance(timedelta(minutes=61))
    assert region.call(lambda s: move_overdue(session=s, now=clock(), policy=POLICY)) == 0
    esc = escalation(region)
    assert (esc.level, esc.state, esc.unrouted_at) == ("township", "open", None)
    assert esc.due_by == clock() + timedelta(hours=1)  # looked at again after the next hour
    director.assert_quiet(0.5)
    assert not [m for m in director.messages() if "没有任何人可以接收" in m.text]
