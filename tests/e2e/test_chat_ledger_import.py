"""A ledger sent to the bot: an admin gets the check's report as a workbook with a button to
import, and the import is written once; a director's upload is refused."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlmodel import func, select

from storage.child_models import Child
from storage.db import Database
from storage.models import AuditEntry
from tests.e2e.test_chat_foundation import enrol
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.ledger_files import left_behind_row, workbook
from tests.support.seed import COUNTY

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def children(db: Database) -> int:
    return db.call(lambda s: s.exec(select(func.count()).select_from(Child)).one())


def test_chat_import__admin_sends_ledger__report_then_confirmed_import(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    admin, _ = enrol(fake, region, user_id=2001, role="admin", org=COUNTY)
    rows = [left_behind_row(1), left_behind_row(2), left_behind_row(3, 户籍类别="农业户口")]
    admin.send_document("溪头村台账.xlsx", XLSX, data=workbook(rows))
    report = admin.wait_for(lambda m: m.kind == "document", timeout=30)
    assert report.file is not None and report.file.file_name.startswith("ledger-check-")
    assert "读取行数：3" in report.text and "有误：1" in report.text
    sheet = load_workbook(io.BytesIO(report.file.data), read_only=True).worksheets[0]
    problems = [row[41:] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert problems == [
        ("有效",),
        ("有效",),
        ("有误", "户籍类别：请填写以下之一：农村户、城市户。"),
    ]
    assert children(region) == 0  # the check writes nothing
    admin.press("只导入有效的 2 份档案", report)
    done = admin.wait_for_text("导入完成", timeout=30)
    assert "已导入：2" in done.text
    assert children(region) == 2
    actions = region.call(
        lambda s: [e.action for e in s.exec(select(AuditEntry)).all() if e.table_name == "ledger"]
    )
    assert actions == ["ledger.checked", "ledger.imported"]


def test_chat_import__all_valid_pressed_twice__written_once(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    admin, _ = enrol(fake, region, user_id=2001, role="admin", org=COUNTY)
    data = workbook([left_behind_row(1)])
    admin.send_document("台账.xlsx", XLSX, data=data)
    admin.wait_for(lambda m: m.kind == "document", timeout=30)
    admin.press("导入全部 1 份档案")
    admin.wait_for_text("已导入：1", timeout=30)
    admin.send_document("台账.xlsx", XLSX, data=data)
    again = admin.wait_for(lambda m: m.kind == "document", timeout=30)
    assert "已在本辖区建档：1" in again.text and again.buttons() == []
    assert children(region) == 1


def test_chat_import__director_sends_a_file__refused(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    director, _ = enrol(fake, region)
    director.send_document("台账.xlsx", XLSX, data=workbook([left_behind_row(1)]))
    director.wait_for_text("只有县级及以上管理员可以导入台账")
    director.send_document("照片.pdf", "application/pdf", data=b"%PDF-1.4")
    director.wait_for_text("暂时无法处理")
    assert children(region) == 0


def test_chat_import__admin_sends_a_pdf__told_it_is_not_a_spreadsheet(
    fake: FakeTelegram, region: Database, bot: BotThread
) -> None:
    admin, _ = enrol(fake, region, user_id=2001, role="admin", org=COUNTY)
    admin.send_document("说明.pdf", "application/pdf", data=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    admin.wait_for_text("这不是电子表格", timeout=20)
