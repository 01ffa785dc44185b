"""Transfers in chat: sent by a director, asked for at intake, accepted or declined."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.care.escalations import EscalationPolicy
from bot.errors import UserError
from bot.forms.launch import open_form
from bot.forms.render import render_screen
from bot.reminders.sweep import daily_digests
from storage.child_models import Child
from storage.db import Database
from storage.lifecycle_models import ChildTransfer
from storage.visit_models import Visit
from tests.e2e.test_chat_foundation import enrol
from tests.fakegram import FakeTelegram, FakeUser, SentMessage
from tests.support import formdriver
from tests.support.botrunner import BotThread
from tests.support.formdriver import NOW, TODAY
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
    OTHER_VILLAGE,
    TOWNSHIP,
    VILLAGE,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def people(fake: FakeTelegram, region: Database, bot: BotThread) -> dict[str, FakeUser]:
    director, _ = enrol(fake, region)
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP)
    return {"director": director, "supervisor": supervisor}


@pytest.fixture
def two_villages(
    fake: FakeTelegram, region: Database, people: dict[str, FakeUser]
) -> dict[str, FakeUser]:
    receiving, _ = enrol(fake, region, 1003, "director", OTHER_VILLAGE)
    other_supervisor, _ = enrol(fake, region, 2002, "supervisor", OTHER_TOWNSHIP)
    return {**people, "receiving": receiving, "other_supervisor": other_supervisor}


def _with_a_visit(db: Database, child_id: int) -> None:
    author = caller_of(db, 1001).staff_id

    def add(session: object) -> None:
        session.add(  # type: ignore[attr-defined]
            Visit(
                child_id=child_id,
                author_id=author,
                kind="home_visit",
                visited_on=date(2026, 10, 20),
                seen_in_person=True,
                tier_before="medium",
                tier_after="medium",
                created_at=NOW,
                updated_at=NOW,
            )
        )

    db.call(add)


def start_transfer(director: FakeUser, village: str) -> SentMessage:
    """From the card, start a transfer to the village typed; return the review's last part."""
    card = open_card(director)
    director.press("转到其他村", card)
    director.wait_for_text("转入哪个村", timeout=WAIT)
    director.send(village)
    director.wait_for_text("转档说明", timeout=WAIT)
    director.press("跳过")
    return director.wait_for(lambda m: "上一步" in str(m.buttons()), timeout=WAIT)


def test_transfer__bad_villages__refused_and_nothing_changes(
    two_villages: dict[str, FakeUser], region: Database
) -> None:
    director = two_villages["director"]
    _, child_id = file_through_intake(region)
    assert child_id is not None
    review = start_transfer(director, "不存在的村")
    assert "没有找到这个村" in review.text and "保存" not in str(review.buttons())
    director.press("修改：转入哪个村（输入村代码或村名）", review)
    director.wait_for_text("转入哪个村", timeout=WAIT)
    director.send(VILLAGE)
    review = director.wait_for(lambda m: "档案已在本村" in m.text, timeout=WAIT)
    assert "保存" not in str(review.buttons())
    assert region.call(lambda s: s.exec(select(ChildTransfer)).all()) == []

    # A closed file cannot be sent anywhere.
    region.call(lambda s: setattr(s.get(Child, child_id), "closed", True))
    with pytest.raises(UserError) as refused:
        region.call(
            lambda s: open_form(
                session=s,
                caller=caller_of(region, 1001),
                form="child_transfer",
                now=NOW,
                today=TODAY,
                policy=EscalationPolicy(),
                record_id=child_id,
            )
        )
    assert refused.value.key == "lifecycle.error.transfer_closed"


def test_transfer__accepted__file_history_and_reminders_move_and_everyone_is_told(
    two_villages: dict[str, FakeUser], region: Database
) -> None:
    director, receiving = two_villages["director"], two_villages["receiving"]
    _, child_id = file_through_intake(region)
    assert child_id is not None
    _with_a_visit(region, child_id)
    region.call(lambda s: make_overdue(s, child_id))
    review = start_transfer(director, "南井")
    # The review names the village found for the part of its name typed, with its code.
    assert any(f"南井村 {OTHER_VILLAGE}" in m.text for m in director.messages())
    director.press("保存", review)
    director.wait_for_text("转档申请已发出", timeout=WAIT)

    ask = receiving.wait_for_text("转档申请", timeout=WAIT)
    assert "溪头村" in ask.text and "南井村" in ask.text
    receiving.press("同意", ask)
    receiving.wait_for_text("已同意", timeout=WAIT)
    assert the_child(region, child_id).village_code == OTHER_VILLAGE
    for user in ("director", "supervisor", "other_supervisor"):
        told = two_villages[user].wait_for_text("档案已从溪头村转到南井村", timeout=WAIT)
        assert "张小明" in told.text

    # The receiving director now keeps the file, with its visits, and is reminded of it.
    card = open_card(receiving)
    assert any("2026-10-20" in m.text for m in receiving.messages())
    assert "结案" in [label for label, _ in card.buttons()]
    day = date(2026, 11, 3)
    now = datetime(2026, 11, 3, 1, 0, tzinfo=UTC)
    digests = region.call(
        lambda s: list(daily_digests(session=s, today=day, now=now, mark_drafts=False))
    )
    reminded = {d.recipient.org_code for d in digests if "张小明" in d.notice.to_json()}
    assert reminded == {OTHER_VILLAGE}
    actions = audit_actions(region, child_id)
    assert ("child.transfer_accepted", caller_of(region, 1003).staff_id) in actions


def test_transfer__declined__file_stays_and_both_sides_are_told(
    two_villages: dict[str, FakeUser], region: Database
) -> None:
    director, receiving = two_villages["director"], two_villages["receiving"]
    _, child_id = file_through_intake(region)
    assert child_id is not None
    review = start_transfer(director, OTHER_VILLAGE)
    director.press("保存", review)
    ask = receiving.wait_for_text("转档申请", timeout=WAIT)
    # Only the receiving village decides: outside its area the transfer is not even found,
    # and above a village that has a director, its supervisor leaves it to the director.
    for name, refusal in (("supervisor", "没有找到这个转档申请"), ("other_supervisor", "应由")):
        user = two_villages[name]
        user.press_data(user.wait_for_text("欢迎您", timeout=WAIT), ask.buttons()[0][1])
        user.wait_for_text(refusal, timeout=WAIT)
    receiving.press("拒绝", ask)
    receiving.wait_for_text("拒绝的原因", timeout=WAIT)
    receiving.send("本村查无此儿童")
    brief = receiving.wait_for(lambda m: "保存" in str(m.buttons()), timeout=WAIT)
    receiving.press("保存", brief)
    receiving.wait_for_text("已拒绝张小明的转档申请", timeout=WAIT)
    told = director.wait_for_text("未获同意，档案留在溪头村", timeout=WAIT)
    assert "本村查无此儿童" in told.text
    transfer = region.call(lambda s: s.exec(select(ChildTransfer)).one())
    assert transfer.state == "declined"
    assert the_child(region, child_id).village_code == VILLAGE
    declined = ("child.transfer_declined", caller_of(region, 1003).staff_id)
    assert declined in audit_actions(region, child_id)
    # Pressed again: decided already, and nothing changes.
    for button in ("同意", "拒绝"):
        receiving.press(button, ask)
        receiving.wait_for_text("已经处理过了", timeout=WAIT)
    assert the_child(region, child_id).village_code == VILLAGE


def test_duplicate_id__intake_offers_a_transfer_request__holder_accepts(
    two_villages: dict[str, FakeUser], region: Database
) -> None:
    director, receiving = two_villages["director"], two_villages["receiving"]
    _, child_id = file_through_intake(region)
    assert child_id is not None
    driver, refused_id = file_through_intake(region, 1003, child_name=("text", "张小明"))
    assert refused_id is None
    assert driver.screen is not None
    # The refusal says the child is on file elsewhere, never where.
    footer = render_screen(driver.screen, formdriver.T, TODAY)[-1].text
    assert "申请转入本村" in driver.buttons() and "溪头村" not in footer
    screen = driver.press("申请转入本村")
    assert screen.info.get("notice") == "duplicate.transfer_requested"

    ask = director.wait_for_text("转档申请", timeout=WAIT)
    assert "申请转入南井村" in ask.text
    director.press("同意", ask)
    director.wait_for_text("已同意", timeout=WAIT)
    receiving.wait_for_text("档案已从溪头村转到南井村", timeout=WAIT)
    assert the_child(region, child_id).village_code == OTHER_VILLAGE
    transfer = region.call(lambda s: s.exec(select(ChildTransfer)).one())
    assert (transfer.direction, transfer.requested_by) == ("pull", caller_of(region, 1003).staff_id)


def test_duplicate_id__file_closed_as_moved_away__opens_again_in_the_new_village(
    two_villages: dict[str, FakeUser], region: Database
) -> None:
    director = two_villages["director"]
    _, child_id = file_through_intake(region)
    assert child_id is not None

    def moved_away(session: object) -> None:
        child = session.get(Child, child_id)  # type: ignore[attr-defined]
        child.closed, child.closed_reason, child.closed_on = True, "moved_away", TODAY
        child.next_contact_due = child.next_visit_due = None

    region.call(moved_away)
    driver, _ = file_through_intake(region, 1003)
    driver.press("申请转入本村")
    ask = director.wait_for_text("转档申请", timeout=WAIT)
    director.press("同意", ask)
    director.wait_for_text("已同意", timeout=WAIT)
    child = the_child(region, child_id)
    assert (child.village_code, child.closed, child.closed_reason) == (OTHER_VILLAGE, False, None)
    assert child.next_visit_due is not None


def test_duplicate_id__holder_declines__asking_village_not_told_where_the_file_is(
    two_villages: dict[str, FakeUser], region: Database
) -> None:
    director, receiving = two_villages["director"], two_villages["receiving"]
    _, child_id = file_through_intake(region)
    assert child_id is not None
    driver, _ = file_through_intake(region, 1003)
    driver.press("申请转入本村")
    ask = director.wait_for_text("转档申请", timeout=WAIT)
    director.press("拒绝", ask)
    director.wait_for_text("拒绝的原因", timeout=WAIT)
    director.send("孩子仍在本村居住")
    director.press("保存", director.wait_for(lambda m: "保存" in str(m.buttons()), timeout=WAIT))
    told = receiving.wait_for_text("您申请转入张小明的档案未获同意", timeout=WAIT)
    assert "孩子仍在本村居住" in told.text and "溪头村" not in told.text
    assert the_child(region, child_id).village_code == VILLAGE
