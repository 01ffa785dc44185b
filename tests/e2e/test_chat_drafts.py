"""Drafts survive: kill -9 mid-form, a second process, /new with a draft, cancel, edits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.settings import Settings
from storage.child_models import Child, FormSession
from storage.db import Database
from storage.models import AuditEntry
from tests.conftest import TEST_DATA_KEY, TEST_TOKEN
from tests.e2e.test_chat_intake import answer, answer_until, fill
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotProcess, BotThread
from tests.support.intake import LEFT_BEHIND
from tests.support.seed import VILLAGE, invite


@pytest.fixture
def process_env(fake: FakeTelegram, database_url: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_URL": fake.api_url,
        "DATABASE_URL": database_url,
        "BOT_LOCALE": "zh_Hans",
        "DATA_KEY": TEST_DATA_KEY,
    }


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for process in started:
        process.kill()


def start_process(env: dict[str, str], tmp_path: Path, started: list[BotProcess]) -> BotProcess:
    process = BotProcess(env, tmp_path / f"bot{len(started)}.log").start()
    started.append(process)
    return process


def test_restart__kill_9_mid_form__continues_at_same_question(
    fake: FakeTelegram,
    region: Database,
    process_env: dict[str, str],
    tmp_path: Path,
    processes: list[BotProcess],
) -> None:
    first = start_process(process_env, tmp_path, processes)
    issued = invite(region, "director", VILLAGE, now=datetime.now(UTC))
    user = fake.user(1001, first_name="王芳")
    user.send(f"/start {issued.code}")
    user.wait_for_text("欢迎您", timeout=20)
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    answer_until(user, LEFT_BEHIND, "home_address")
    first.kill()
    start_process(process_env, tmp_path, processes)
    user.send(LEFT_BEHIND["home_address"][1])
    question = user.wait_for_text("户籍类别", timeout=20)
    assert "请选择户籍类别" in question.text
    rest = {
        k: v
        for k, v in LEFT_BEHIND.items()
        if list(LEFT_BEHIND).index(k) > list(LEFT_BEHIND).index("home_address")
    }
    fill(user, rest)
    user.press("保存")
    user.wait_for_text("已保存 张小明 的档案")
    assert region.call(lambda s: len(s.exec(select(Child)).all())) == 1
    assert "Traceback" not in first.output()


def test_second_process__same_database__continues_the_draft(
    fake: FakeTelegram,
    region: Database,
    bot_settings: Settings,
    tmp_path: Path,
    process_env: dict[str, str],
    processes: list[BotProcess],
) -> None:
    issued = invite(region, "director", VILLAGE, now=datetime.now(UTC))
    first = BotThread(bot_settings).start()
    user = fake.user(1001, first_name="王芳")
    user.send(f"/start {issued.code}")
    user.wait_for_text("欢迎您")
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    answer(user, "child_name", *LEFT_BEHIND["child_name"])
    first.stop()
    start_process(process_env, tmp_path, processes)
    user.send(LEFT_BEHIND["child_id"][1])
    assert "是否正确" in user.wait_for_text("性别", timeout=20).text


def test_new_with_open_draft__offers_continue_or_start_over(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    from tests.e2e.test_chat_foundation import enrol

    user, _ = enrol(fake, region)
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    answer_until(user, LEFT_BEHIND, "ethnicity")
    user.send("/new")
    offer = user.wait_for_text("未完成")
    assert "请选择民族" not in offer.text and "民族" in offer.text
    user.press("继续填写")
    user.wait_for_text("请选择民族")
    user.send("/new")
    user.wait_for_text("未完成")
    user.press("重新开始")
    user.wait_for_text("请输入儿童姓名")
    drafts = region.call(lambda s: [d.status for d in s.exec(select(FormSession)).all()])
    assert sorted(drafts) == ["discarded", "open"]


def test_cancel__asks_then_discards(fake: FakeTelegram, region: Database, bot: BotThread) -> None:
    from tests.e2e.test_chat_foundation import enrol

    user, _ = enrol(fake, region)
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    user.send("张小明")
    user.wait_for_text("身份证")
    user.press("取消")
    user.wait_for_text("确定放弃")
    user.press("否，继续填写")
    user.wait_for_text("请输入儿童身份证号码")
    user.send("/cancel")
    user.wait_for_text("确定放弃")
    user.press("是，放弃")
    user.wait_for_text("已放弃")
    assert region.call(lambda s: s.exec(select(FormSession)).one().status) == "discarded"
    user.send("/cancel")
    assert "没有正在进行" in user.reply().text


def test_edit__saved_field_changed_through_card__audit_row_with_old_and_new(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    from tests.e2e.test_chat_foundation import enrol

    user, _ = enrol(fake, region)
    user.send("新建档案")
    user.wait_for_text("儿童姓名")
    fill(user, LEFT_BEHIND)
    user.press("保存")
    user.wait_for_text("已保存")
    user.send("/children")
    user.wait_for_text("儿童档案")
    user.press("张小明（中风险）3501**********1239")
    card = user.wait_for(lambda m: "修改档案" in m.button_texts())
    assert "男 · 2015-03-05" in "\n".join(m.text for m in user.messages())
    assert card is not None
    assert "13812345678" not in "\n".join(m.text for m in user.messages())
    user.press("修改档案")
    user.wait_for_text("核对无误")
    user.press("修改家庭监护风险等级")
    user.wait_for_text("当前填写：中风险")
    user.press("高风险")
    user.wait_for_text("核对无误")
    user.press("保存")
    user.wait_for_text("已保存对 张小明 档案的修改")
    edits = region.call(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "child.edit")).all()
    )
    assert [(e.old_value, e.new_value) for e in edits] == [
        ('{"risk_tier": "medium"}', '{"risk_tier": "high"}')
    ]
