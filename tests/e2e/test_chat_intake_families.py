"""An intake for real families: no ID number yet, a parent who died, an orphan's guardian,
the home visit made that day."""

from __future__ import annotations

import json
from datetime import date

from sqlmodel import select

from storage.child_models import Child, Guardian
from storage.db import Database
from storage.models import AuditEntry
from storage.visit_models import Visit
from tests.e2e.test_chat_foundation import enrol
from tests.e2e.test_chat_intake import answer, fill
from tests.fakegram import FakeTelegram, FakeUser
from tests.support.botrunner import BotThread
from tests.support.intake import CHILD_ID, LEFT_BEHIND, ORPHAN, in_form_order

UNREGISTERED = in_form_order(
    {
        **{k: v for k, v in LEFT_BEHIND.items() if k != "child_id_confirm"},
        "child_id": ("press", "没有身份证号"),
        "no_id_reason": ("press", "未登记户口"),
        "birth_date": ("text", "2015-03-05"),
        "sex": ("press", "男"),
    }
)
FATHER_DIED = in_form_order(
    {
        **{
            k: v
            for k, v in LEFT_BEHIND.items()
            if not k.startswith("father_") or k.endswith(("_name", "_id"))
        },
        "father_special": ("press", "死亡"),
        "caregiver_reason": ("press", "父母一方外出，另一方无监护能力"),
    }
)


def new_file(user: FakeUser) -> None:
    user.send("新建档案")
    user.wait_for_text("儿童姓名")


def open_card(user: FakeUser, name: str) -> None:
    user.send("我的儿童")
    user.wait_for_text("儿童档案")
    user.press(next(label for label, _ in user.last().buttons() if label.startswith(name)))
    user.wait_for(lambda m: "修改档案" in m.button_texts())


def test_intake__unregistered_child__filed_without_id_then_given_one(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    new_file(user)
    fill(user, UNREGISTERED)
    summary = "\n".join(m.text for m in user.messages()[-8:])
    assert "儿童身份证号码：没有身份证号" in summary and "没有身份证号的原因：未登记户口" in summary
    user.press("保存")
    user.wait_for_text("已保存 张小明 的档案")
    child = region.call(lambda s: s.exec(select(Child)).one())
    assert (child.id_number, child.id_number_hash, child.no_id_reason) == (
        None,
        None,
        "unregistered",
    )
    assert (child.birth_date, child.sex) == (date(2015, 3, 5), "male")
    # The number comes later: typed over "no ID number" in the edit, the file keeps it.
    open_card(user, "张小明")
    user.press("修改档案")
    user.wait_for_text("核对无误")
    user.press("修改儿童基本信息")
    user.wait_for_text("儿童姓名")
    answer(user, "child_name", "press", "不修改")
    answer(user, "child_id", "text", CHILD_ID)
    reply = answer(user, "child_id_confirm", "press", "是")
    while "核对无误" not in reply.text:
        labels = reply.button_texts()
        reply = answer(user, "", "press", "不修改" if "不修改" in labels else "完成")
    user.press("保存")
    user.wait_for_text("已保存")
    child = region.call(lambda s: s.exec(select(Child)).one())
    assert (child.id_number, child.no_id_reason) == (CHILD_ID, None)
    assert child.id_number_hash and (child.birth_date, child.sex) == (date(2015, 3, 5), "male")
    edits = region.call(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "child.edit")).all()
    )
    changed = {next(iter(json.loads(e.new_value or "{}"))) for e in edits}
    assert {"child_id", "no_id_reason"} <= changed
    assert all(CHILD_ID not in (e.new_value or "") for e in edits)  # masked in the audit log


def test_intake__two_unregistered_children__both_filed(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    for name in ("张小明", "张小亮"):
        new_file(user)
        fill(user, {**UNREGISTERED, "child_name": ("text", name)})
        if "保存" not in user.last().button_texts():
            user.press("仍然保存")  # same birth date as a twin: a warning only
        else:
            user.press("保存")
        user.wait_for_text(f"已保存 {name} 的档案")
    assert region.call(lambda s: len(s.exec(select(Child)).all())) == 2


def test_intake__father_died__not_asked_phone_health_or_work_away(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    new_file(user)
    fill(user, FATHER_DIED)
    asked = "\n".join(m.text for m in user.messages())
    for question in ("父亲联系电话", "父亲健康状况", "父亲是否跨县外出", "父亲务工地点"):
        assert question not in asked
    assert "母亲联系电话" in asked
    user.press("保存")
    user.wait_for_text("已保存 张小明 的档案")
    father = region.call(
        lambda s: s.exec(select(Guardian).where(Guardian.relation == "father")).one()
    )
    assert (father.special, father.phone, father.away, father.can_guard) == (
        "deceased",
        None,
        None,
        None,
    )


def test_intake__orphan__guardian_section_asked_and_saved(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    new_file(user)
    fill(user, ORPHAN)
    asked = "\n".join(m.text for m in user.messages())
    assert "监护人与儿童的关系" in asked
    user.press("保存")
    user.wait_for_text("已保存 陈小红 的档案")
    guardian = region.call(
        lambda s: s.exec(select(Guardian).where(Guardian.relation == "guardian")).one()
    )
    assert (guardian.name, guardian.kinship, guardian.phone) == (
        "陈秀兰",
        "relatives",
        "+8613712345678",
    )


def test_intake__left_behind_child__no_guardian_section(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    new_file(user)
    fill(user, LEFT_BEHIND)
    assert "监护人与儿童的关系" not in "\n".join(m.text for m in user.messages())


def test_intake__optional_unknowns__phone_end_date_and_income_skipped(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    new_file(user)
    answers = {
        **LEFT_BEHIND,
        "caregiver_phone": ("press", "没有电话或不详"),
        "entrusted_until": ("press", "长期（无截止日期）"),
        "income_per_capita": ("press", "不详"),
    }
    fill(user, answers)
    summary = "\n".join(m.text for m in user.messages()[-12:])
    assert "：长期（无截止日期）\n" in summary and "：不详\n" in summary
    assert "：没有电话或不详\n" in summary
    user.press("保存")
    user.wait_for_text("已保存 张小明 的档案")
    child = region.call(lambda s: s.exec(select(Child)).one())
    assert child.income_per_capita is None


def test_intake__director_visited_today__counts_as_the_period_visit(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    new_file(user)
    fill(user, {**LEFT_BEHIND, "visited_today": ("press", "是")})
    user.press("保存")
    user.wait_for_text("已保存 张小明 的档案")
    child = region.call(lambda s: s.exec(select(Child)).one())
    visit = region.call(lambda s: s.exec(select(Visit)).one())
    assert (visit.child_id, visit.kind, str(visit.visited_on)) == (
        child.id,
        "home_visit",
        "2026-11-02",
    )
    # This month's visit is made: the next is due by the end of next month.
    assert (str(child.last_visit_on), str(child.next_visit_due)) == ("2026-11-02", "2026-12-31")


def test_intake__no_visit_at_filing__first_visit_due_a_full_month_later(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    user, _ = enrol(fake, region)
    new_file(user)
    fill(user, LEFT_BEHIND)
    user.press("保存")
    user.wait_for_text("已保存 张小明 的档案")
    child = region.call(lambda s: s.exec(select(Child)).one())
    assert child.last_visit_on is None and str(child.next_visit_due) == "2026-12-31"
