"""The ledger as Excel files in chat: from a child's card, and /export for a supervisor or admin."""

from __future__ import annotations

import io
from collections.abc import Callable

import msoffcrypto
import openpyxl
import pytest
from sqlmodel import col, select

from bot.settings import Settings
from storage.db import Database
from storage.models import AuditEntry
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.clock import FakeClock
from tests.support.ledger import Filed, file_township
from tests.support.seed import COUNTY, OTHER_TOWNSHIP, TOWNSHIP, enrol_caller

PASSWORD_PREFIX = "文件密码："


@pytest.fixture
def filed(region: Database) -> Filed:
    return file_township(region)


def _ledger_names(data: bytes, password: str | None = None) -> list[str]:
    clear = io.BytesIO(data)
    if password is not None:
        clear = io.BytesIO()
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password)
        office.decrypt(clear)
    sheet = openpyxl.load_workbook(clear, read_only=True)["台账"]
    rows = list(sheet.iter_rows(values_only=True))
    name = rows[0].index("姓名")
    return [row[name] for row in rows[1:]]


def _actions(region: Database, action: str) -> list[AuditEntry]:
    statement = select(AuditEntry).where(col(AuditEntry.action) == action)
    return list(region.call(lambda s: s.exec(statement).all()))


def test_card__export__director_receives_the_childs_file(
    fake: FakeTelegram, region: Database, filed: Filed, bot: BotThread
) -> None:
    user = fake.user(1001, first_name="王芳", language_code="zh-hans")
    user.send("/children")
    user.wait_for_text("儿童档案")
    user.press("张小明（中风险）" + _masked(filed, filed.village[0]))
    user.wait_for_text("请选择")
    user.press("导出")
    document = user.wait_for(lambda m: m.kind == "document", timeout=20, what="the file")
    assert document.file is not None and document.file.file_name == f"child-{filed.village[0]}.xlsx"
    assert "已部分隐藏" in document.text
    sheet = openpyxl.load_workbook(io.BytesIO(document.file.data), read_only=True).active
    cells = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert "张小明" in cells and "农村留守儿童和困境儿童个人信息台账" in cells
    assert not [m for m in user.messages() if PASSWORD_PREFIX in m.text]
    assert len(_actions(region, "export.child")) == 1


def _masked(filed: Filed, child_id: int) -> str:
    from bot.personal import mask_id_number

    return mask_id_number(filed.id_numbers[child_id])


def test_export_command__supervisor__own_township_masked_and_other_refused(
    fake: FakeTelegram, region: Database, filed: Filed, bot: BotThread
) -> None:
    enrol_caller(region, "supervisor", TOWNSHIP, 2001)
    user = fake.user(2001, first_name="林督导", language_code="zh-hans")
    user.send("/export")
    document = user.wait_for(lambda m: m.kind == "document", timeout=20, what="the ledger")
    assert document.file is not None
    assert _ledger_names(document.file.data) == ["张小明", "王小红", "李小华"]
    assert "白沙镇 2026 年台账：3 名儿童" in document.text
    user.send(f"/export {OTHER_TOWNSHIP}")
    user.wait_for_text(f"单位 {OTHER_TOWNSHIP} 不在您负责的区域内")
    user.send("/export 2099")
    user.wait_for_text("2099 年还没有到")
    assert len(_actions(region, "export.refused")) == 2
    assert len([m for m in user.messages() if m.kind == "document"]) == 1


def test_export_command__admin__encrypted_file_then_password_message(
    fake: FakeTelegram, region: Database, filed: Filed, bot: BotThread
) -> None:
    enrol_caller(region, "admin", COUNTY, 3001)
    user = fake.user(3001, first_name="陈科长", language_code="zh-hans")
    user.send("/export")
    password_message = user.wait_for_text(PASSWORD_PREFIX, timeout=20)
    documents = [m for m in user.messages() if m.kind == "document"]
    assert len(documents) == 1 and documents[0].message_id < password_message.message_id
    assert "已加密" in documents[0].text
    password = password_message.text.split(PASSWORD_PREFIX, 1)[1].split()[0]
    assert password not in documents[0].text
    data = documents[0].file.data if documents[0].file else b""
    assert _ledger_names(data, password) == ["张小明", "王小红", "李小华", "陈小强"]


@pytest.fixture
def small_files_settings(fake: FakeTelegram, make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(telegram_api_url=fake.api_url, export_max_bytes=1024)


def test_export_command__file_over_the_limit__told_to_use_the_command_line(
    fake: FakeTelegram,
    region: Database,
    filed: Filed,
    small_files_settings: Settings,
    clock: FakeClock,
) -> None:
    runner = BotThread(small_files_settings, clock=clock).start()
    try:
        enrol_caller(region, "supervisor", TOWNSHIP, 2001)
        user = fake.user(2001, first_name="林督导", language_code="zh-hans")
        user.send("/export")
        user.wait_for_text("python -m bot export ledger", timeout=20)
        assert not [m for m in user.messages() if m.kind == "document"]
    finally:
        runner.stop()
