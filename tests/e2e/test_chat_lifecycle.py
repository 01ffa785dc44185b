"""A file's life in chat: review by the supervisor, close and reopen, transfer, ageing out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.care.escalations import EscalationPolicy
from bot.errors import UserError
from bot.forms.launch import open_form
from bot.reminders.digests import Digest
from bot.reminders.sweep import daily_digests, sweep
from bot.telegram.callbacks import VISIT_START
from storage.db import Database
from storage.lifecycle_queries import closed_counts, review_counts
from storage.outbox_models import OutboxMessage
from tests.e2e.test_chat_foundation import enrol
from tests.fakegram import FakeTelegram, FakeUser
from tests.support.botrunner import BotThread
from tests.support.clock import FakeClock
from tests.support.formdriver import NOW, TODAY, FormDriver
from tests.support.ids import resident_id
from tests.support.intake import LEFT_BEHIND, MULTI_CHOICE
from tests.support.lifecycle import (
    WAIT,
    audit_actions,
    caller_of,
    file_through_intake,
    make_overdue,
    open_card,
    the_child,
)
from tests.support.seed import (
    OTHER_TOWNSHIP,
    TOWNSHIP,
    VILLAGE,
    enrol_caller,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def people(fake: FakeTelegram, region: Database, bot: BotThread) -> dict[str, FakeUser]:
    director, _ = enrol(fake, region)
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    return {"director": director, "supervisor": supervisor}


# Review


def test_review__new_file__supervisor_approves_and_director_is_told(
    people: dict[str, FakeUser], region: Database, fake: FakeTelegram
) -> None:
    director, supervisor = people["director"], people["supervisor"]
    _, child_id = file_through_intake(region)
    assert child_id is not None and the_child(region, child_id).review_state == "pending"
    notice = supervisor.wait_for_text("新建档案待审核", timeout=WAIT)
    assert "张小明"[1:] in notice.text and "溪头村" in notice.text
    open_card(director)
    assert any("⏳ 待督导员审核" in m.text for m in director.messages())
    counts = region.call(lambda s: review_counts(session=s, area_prefix=TOWNSHIP))
    assert counts == {"pending": 1}

    # A supervisor of another township cannot act on it: not found, and nothing changes.
    stranger, _ = enrol(fake, region, 2002, "supervisor", OTHER_TOWNSHIP)
    stranger.press_data(stranger.last(), notice.buttons()[0][1])
    stranger.wait_for_text("找不到这份档案", timeout=WAIT)
    assert the_child(region, child_id).review_state == "pending"
    denied = ("child.denied", caller_of(region, 2002).staff_id)
    assert denied in audit_actions(region, child_id)

    supervisor.press("审核通过", notice)
    supervisor.wait_for_text("已审核通过", timeout=WAIT)
    director.wait_for_text("已通过督导员审核", timeout=WAIT)
    assert the_child(region, child_id).review_state is None
    assert ("child.review_approved", caller_of(region, 2001).staff_id) in audit_actions(
        region, child_id
    )
    assert region.call(lambda s: review_counts(session=s, area_prefix=TOWNSHIP)) == {}
    # A second press finds nothing waiting: a clear message, and nothing changes.
    supervisor.press("审核通过", notice)
    supervisor.wait_for_text("不在待审核状态", timeout=WAIT)


def test_review__returned_with_note__director_edits_at_the_section_and_sends_again(
    people: dict[str, FakeUser], region: Database, fake: FakeTelegram
) -> None:
    director, supervisor = people["director"], people["supervisor"]
    _, child_id = file_through_intake(region)
    assert child_id is not None
    notice = supervisor.wait_for_text("新建档案待审核", timeout=WAIT)
    supervisor.press("退回修改", notice)
    supervisor.wait_for_text("需要修改的部分", timeout=WAIT)
    supervisor.press("父亲信息")
    supervisor.wait_for_text("退回意见", timeout=WAIT)
    supervisor.send("父亲外出时间请核实")
    review = supervisor.wait_for(lambda m: "保存" in [label for label, _ in m.buttons()])
    supervisor.press("保存", review)
    supervisor.wait_for_text("已将张小明的档案退回", timeout=WAIT)
    child = the_child(region, child_id)
    assert (child.review_state, child.review_note) == ("returned", "父亲外出时间请核实")

    # Another director of the same village may not take the returned file over.
    enrol(fake, region, 1002, "director", VILLAGE)
    other = caller_of(region, 1002)
    with pytest.raises(UserError) as refused:
        region.call(
            lambda s: open_form(
                session=s,
                caller=other,
                form="intake_edit",
                now=NOW,
                today=TODAY,
                policy=EscalationPolicy(),
                record_id=child_id,
            )
        )
    assert refused.value.key == "lifecycle.error.returned_to_other"

    returned = director.wait_for_text("被督导员退回修改", timeout=WAIT)
    assert "父亲外出时间请核实" in returned.text
    director.press("修改退回的档案", returned)
    director.wait_for_text("督导员的退回意见：父亲外出时间请核实", timeout=WAIT)
    question = director.wait_for_text("父亲信息", timeout=WAIT)
    assert "张大山" in question.text  # the father's first question, his answer shown

    # Saved again (here through the form service, from the edit's review), it goes back to
    # review: the supervisor is asked again.
    screen = region.call(
        lambda s: open_form(
            session=s,
            caller=caller_of(region, 1001),
            form="intake_edit",
            now=NOW,
            today=TODAY,
            policy=EscalationPolicy(),
            record_id=child_id,
        )
    )
    driver = FormDriver(region, caller_of(region, 1001))
    driver.screen = screen
    assert driver.press("保存").kind == "saved"
    assert the_child(region, child_id).review_state == "pending"
    actions = [action for action, _ in audit_actions(region, child_id)]
    assert actions.count("child.review_submitted") == 2 and "child.review_returned" in actions
    again = supervisor.wait_for(
        lambda m: "新建档案待审核" not in m.text and "待审核" in m.text, timeout=WAIT
    )
    assert "审核通过" in [label for label, _ in again.buttons()]


def test_review__setting_off__files_are_not_sent(region: Database) -> None:
    director = enrol_caller(region, "director", VILLAGE, 1001)
    driver = FormDriver(region, director, EscalationPolicy(review_new_files=False))
    driver.begin()
    driver.fill(LEFT_BEHIND, MULTI_CHOICE)
    child_id = driver.press("保存").record_id
    assert child_id is not None and the_child(region, child_id).review_state is None
    assert "child.review_submitted" not in [a for a, _ in audit_actions(region, child_id)]


# Close and reopen


def test_close_and_reopen__closed_child_gets_no_reminder__reopened_is_due_again(
    people: dict[str, FakeUser], region: Database
) -> None:
    director = people["director"]
    _, child_id = file_through_intake(region)
    assert child_id is not None
    # Make the child overdue, so that the sweep would remind the director.
    region.call(lambda s: make_overdue(s, child_id))
    assert _digest_names(region, date(2026, 11, 3)) == ["张小明"]

    card = open_card(director)
    director.press("结案", card)
    director.wait_for_text("结案原因", timeout=WAIT)
    director.press("父母返乡")
    director.wait_for_text("结案日期", timeout=WAIT)
    director.send("2027-01-01")  # a future date is refused where it is typed
    refusal = director.wait_for_text("⚠️", timeout=WAIT)
    assert "结案日期" in refusal.text and not the_child(region, child_id).closed
    director.press("今天")
    director.wait_for_text("补充说明", timeout=WAIT)
    director.press("跳过")
    review = director.wait_for(lambda m: "保存" in [label for label, _ in m.buttons()])
    director.press("保存", review)
    director.wait_for_text("已结案，不再提醒走访", timeout=WAIT)

    child = the_child(region, child_id)
    assert (child.closed, child.closed_reason, child.closed_on) == (
        True,
        "parents_returned",
        TODAY,
    )
    counted = region.call(lambda s: closed_counts(session=s, area_prefix=TOWNSHIP))
    assert counted == {"parents_returned": 1}
    assert _digest_names(region, date(2026, 11, 3)) == []
    # Kept, with its history, and findable by the area's staff under the closed files.
    director.send("/children")
    listing = director.wait_for(lambda m: "已结案的档案" in str(m.buttons()), timeout=WAIT)
    assert "张小明" not in str(listing.buttons())
    director.press("已结案的档案", listing)
    closed = director.wait_for(lambda m: "张小明 · 父母返乡" in str(m.buttons()), timeout=WAIT)
    director.press("张小明 · 父母返乡", closed)
    card = director.wait_for_text("请选择", timeout=WAIT)
    labels = [label for label, _ in card.buttons()]
    assert "恢复档案" in labels and "结案" not in labels and "修改档案" not in labels
    # An old reminder's "report a visit" button finds the file closed.
    director.press_data(card, VISIT_START.encode(child_id))
    director.wait_for_text("已结案，不能记录走访", timeout=WAIT)
    assert any("已结案：父母返乡" in m.text for m in director.messages())

    director.press("恢复档案", card)
    director.wait_for_text("恢复档案的原因", timeout=WAIT)
    director.send("父母再次外出务工")
    brief = director.wait_for(lambda m: "保存" in [label for label, _ in m.buttons()])
    director.press("保存", brief)
    director.wait_for_text("已恢复", timeout=WAIT)
    reopened = the_child(region, child_id)
    # Due again, from its own history: reminders resume as for any open file.
    assert not reopened.closed and reopened.next_visit_due is not None
    actions = audit_actions(region, child_id)
    director_id = caller_of(region, 1001).staff_id
    assert ("child.close", director_id) in actions and ("child.reopen", director_id) in actions


def _digest_names(db: Database, day: date) -> list[str]:
    now = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)

    def digests(session: object) -> list[Digest]:
        found = daily_digests(session=session, today=day, now=now, mark_drafts=False)  # type: ignore[arg-type]
        return [d for d in found if d.kind == "director"]

    found = db.call(digests)
    return sorted({line for d in found for line in _child_names(d)})


def _child_names(digest: Digest) -> list[str]:
    return ["张小明"] if "张小明" in digest.notice.to_json() else []


# Eligibility over time


def test_child_turning_16__director_prompted_once__file_still_editable_with_the_prompt(
    people: dict[str, FakeUser], region: Database, clock: FakeClock
) -> None:
    director = people["director"]
    birthday = resident_id(birth="20101103", sequence="135")  # 16 on 2026-11-03
    _, child_id = file_through_intake(region, child_id=("text", birthday))
    assert child_id is not None
    clock.advance(timedelta(days=1))
    for day in (date(2026, 11, 3), date(2026, 11, 4)):
        now = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)
        region.call(
            lambda s, day=day, now=now: sweep(
                session=s, today=day, now=now, tz=SHANGHAI, quiet=None, collect=False
            )
        )
    prompt = director.wait_for_text("已满16周岁", timeout=WAIT)
    assert "张小明" in prompt.text
    keys = region.call(
        lambda s: s.exec(
            select(OutboxMessage.key).where(OutboxMessage.key.startswith("aged:"))  # type: ignore[attr-defined]
        ).all()
    )
    assert len(keys) == 1
    assert the_child(region, child_id).age_prompted_for == "left_behind"

    # Editing the file is allowed: the eligibility rule warns, with the prompt, and saves.
    director.press("修改类别", prompt)
    review = director.wait_for(lambda m: "仍然保存" in str(m.buttons()), timeout=WAIT)
    assert "请考虑结案，或修改类别" in review.text
    director.press("确认无误，仍然保存", review)
    director.wait_for_text("档案的修改", timeout=WAIT)

    # Or closed, straight from the prompt.
    director.press("结案", prompt)
    director.wait_for_text("结案原因", timeout=WAIT)
    director.press("超龄")
    director.wait_for_text("结案日期", timeout=WAIT)
