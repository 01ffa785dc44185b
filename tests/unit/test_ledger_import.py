"""Importing a county's ledger: every row checked as the chat intake checks it, a report with a
column per problem, nothing written unless all is well (or --partial), re-import a no-op."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from bot.audit import Actor
from bot.errors import UserError
from bot.i18n import I18n
from bot.imports.ledger import ImportRequest, import_ledger
from bot.imports.report import write_report
from storage.child_models import Caregiver, Child, Guardian
from storage.db import Database
from storage.models import AuditEntry
from tests.support.ids import resident_id
from tests.support.ledger_files import left_behind_row, workbook
from tests.support.seed import COUNTY, VILLAGE, invite, seed_region

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 2)
I18N = I18n("zh_Hans")
T = I18N.translator("zh_Hans")


@pytest.fixture
def county(db: Database) -> Database:
    seed_region(db)
    invite(db, "admin", COUNTY, name="林主任")
    return db


def run(db: Database, data: bytes, org_code: str = COUNTY, **options: object):  # type: ignore[no-untyped-def]
    request = ImportRequest(
        data=data,
        file_name="台账.xlsx",
        org_code=org_code,
        actor=Actor.cli(),
        **options,  # type: ignore[arg-type]
    )
    return db.call(
        lambda s: import_ledger(session=s, request=request, now=NOW, today=TODAY, t=T, i18n=I18N)
    )[0]


def count(db: Database, table: type) -> int:
    return db.call(lambda s: s.exec(select(func.count()).select_from(table)).one())


def test_ledger__good_rows__written_with_parents_and_caregiver(county: Database) -> None:
    checked = run(county, workbook([left_behind_row(1), left_behind_row(2)]))
    assert checked.notes == {}
    assert (checked.summary.rows, checked.summary.valid, checked.summary.written) == (2, 2, 2)
    assert count(county, Child) == 2 and count(county, Guardian) == 4
    assert count(county, Caregiver) == 2


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def bad_rows() -> list[dict[str, object]]:
    """One row of each kind of problem, between good ones (sheet lines 4 to 16)."""
    good = left_behind_row
    wide_id = resident_id(birth="20150808", sequence="015").translate(FULL_WIDTH)
    return [
        good(1),
        good(2, 身份证号码="35012120150303123X"),  # check digit wrong
        good(3, **{"父亲信息/联系电话": "1381234"}),
        good(4, **{"委托照护人情况/委托监护结束日期": "2027-13-01"}),
        good(5, 户籍类别="农业户口"),
        good(6, **{"家庭收入人均（元/年）": "一万二"}),
        good(
            7,
            身份证号码=wide_id,
            出生年月="２０１５．０８",
            **{"父亲信息/联系电话": "１３８１２３４５６７８"},
        ),
        good(8, 民族=None),
        good(9, 性别="女"),
        good(1),  # the first row again
        good(10, 户籍类别="城市户"),
        good(11, 所属村="不存在村"),
        good(12, 身份证号码=resident_id(birth="20080101", sequence="135"), 出生年月="2008-01-01"),
        good(13, 身份证号码=350121201503051231.0),  # typed into a number cell
    ]


EXPECTED = [
    ("有效",),
    ("有误", "身份证号码：这个身份证号码不对，可能有一位输错了。请对照身份证逐位检查后重新输入。"),
    ("有误", "父亲联系电话：电话号码不正确。请输入 11 位手机号或带区号的固定电话。"),
    ("有误", "照护人委托监护结束日期：没有这一天，请检查月份和日期后重新输入，例如 2024-03-05。"),
    ("有误", "户籍类别：请填写以下之一：农村户、城市户。"),
    (
        "有误",
        "家庭收入人均（元/年）：没看懂这个金额。请只写数字，单位是元，最多两位小数，例如 1200 或 "
        "1200.50。",
    ),
    ("有效",),
    ("有误", "缺少必填项：民族"),
    ("有误", "性别：与身份证号码显示的性别不一致。"),
    ("文件内重复", "身份证号码：与第 4 行的身份证号码重复（一人一档）。"),
    ("有误", "户籍类别、儿童类别：农村留守儿童的户籍须为农村户。请修改户籍类别，或改为困境儿童。"),
    ("有误", "所属村：本辖区没有“不存在村”这个村。"),
    (
        "有误",
        "身份证号码、儿童类别：农村留守儿童须不满 16 周岁，该儿童已满 18 周岁。"
        "请核对身份证号码，或修改儿童类别。",
    ),
    (
        "有误",
        "身份证号码：身份证号码被 Excel 存成了数字，后几位已经丢失。"
        "请把这一列设为“文本”格式后重新填写。",
    ),
]


def report_rows(report: bytes, sheet: int = 0) -> list[tuple[object, ...]]:
    book = load_workbook(io.BytesIO(report), read_only=True)
    return [tuple(r) for r in book.worksheets[sheet].iter_rows(values_only=True)]


def test_ledger__each_kind_of_bad_row__reported_and_nothing_written(county: Database) -> None:
    data = workbook(bad_rows())
    checked = run(county, data)
    report = report_rows(write_report(checked, data, T))
    assert report[2][41:43] == ("核对结果", "问题1")
    assert [tuple(c for c in row[41:] if c is not None) for row in report[3:]] == EXPECTED
    assert report[3][:3] == (1, "溪头村", "张小1")  # the input row, as it was
    assert report_rows(write_report(checked, data, T), sheet=1) == [
        ("读取行数", 14),
        ("有效", 2),
        ("有误", 11),
        ("文件内重复", 1),
        ("已在本辖区建档", 0),
        ("已在其他村建档", 0),
        ("已导入", 0),
    ]
    assert count(county, Child) == 0


def test_ledger__dry_run_of_good_rows__writes_nothing_but_the_audit(county: Database) -> None:
    checked = run(county, workbook([left_behind_row(1)]), dry_run=True)
    assert (checked.summary.valid, checked.summary.written) == (1, 0)
    assert count(county, Child) == 0
    entry = county.call(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "ledger.checked")).one()
    )
    assert '"file": "台账.xlsx"' in (entry.new_value or "") and '"rows": 1' in (
        entry.new_value or ""
    )


def test_ledger__same_file_again__changes_nothing(county: Database) -> None:
    data = workbook([left_behind_row(1), left_behind_row(2)])
    run(county, data)
    before = county.call(lambda s: [(c.id, c.updated_at) for c in s.exec(select(Child)).all()])
    again = run(county, data)
    assert (again.summary.here, again.summary.valid, again.summary.written) == (2, 0, 0)
    assert again.summary.all_valid
    after = county.call(lambda s: [(c.id, c.updated_at) for c in s.exec(select(Child)).all()])
    assert after == before and count(county, Guardian) == 4


def test_ledger__partial__writes_the_valid_rows_only(county: Database) -> None:
    checked = run(county, workbook(bad_rows()), partial=True)
    assert checked.summary.written == 2
    names = county.call(lambda s: sorted(c.name for c in s.exec(select(Child)).all()))
    assert names == ["张小1", "张小7"]


def test_ledger__child_on_file_in_another_village__offered_a_transfer(county: Database) -> None:
    run(county, workbook([left_behind_row(1, 所属村="上洋村")]))
    data = workbook([left_behind_row(1), left_behind_row(2)])
    checked = run(county, data)
    assert (checked.summary.elsewhere, checked.summary.written) == (1, 0)
    summary = report_rows(write_report(checked, data, T), sheet=1)
    assert ("已在其他村建档", 1) in summary
    assert summary[-1] == ("1 名儿童已在其他村建档：如已迁入本辖区，请向县民政部门申请转档。",)
    assert checked.notes[4] == [
        "身份证号码：该儿童已在其他地方建档（一人一档），不能重复建档。"
        "如儿童已迁入本村，请向县民政部门申请转档。"
    ]


def test_ledger__gb18030_csv_with_village_codes__imported(county: Database) -> None:
    from tests.support.ledger_files import csv_bytes
    from tests.support.seed import NEIGHBOUR_VILLAGE

    rows = [left_behind_row(1), left_behind_row(2, 所属村=NEIGHBOUR_VILLAGE)]
    checked = run(county, csv_bytes(rows, "gb18030"))
    assert (checked.summary.valid, checked.summary.written) == (2, 2), checked.notes
    villages = county.call(lambda s: sorted(c.village_code for c in s.exec(select(Child)).all()))
    assert villages == sorted([VILLAGE, NEIGHBOUR_VILLAGE])


def test_ledger__utf8_csv_with_bom__read(county: Database) -> None:
    from tests.support.ledger_files import csv_bytes

    checked = run(county, b"\xef\xbb\xbf" + csv_bytes([left_behind_row(3)], "utf-8"), dry_run=True)
    assert (checked.summary.rows, checked.summary.valid) == (1, 1), checked.notes


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"%PDF-1.4 not a ledger", "import.error.not_spreadsheet"),
        (b"PK\x03\x04" + b"\x00" * 40, "import.error.not_spreadsheet"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"),
            "import.error.encrypted",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "import.error.old_xls"),
        ("名字,年龄\n张三,5\n".encode(), "import.error.no_header"),
    ],
)
def test_ledger__not_a_ledger__refused_and_nothing_written(
    county: Database, data: bytes, key: str
) -> None:
    with pytest.raises(UserError) as refused:
        run(county, data)
    assert refused.value.key == key
    assert count(county, Child) == 0 and count(county, AuditEntry) == 8 + 1


def test_ledger__required_column_missing__named(county: Database) -> None:
    from tests.support.ledger_files import csv_bytes

    text = csv_bytes([left_behind_row(1)], "utf-8").decode().replace("民族", "备用", 1)
    with pytest.raises(UserError) as refused:
        run(county, text.encode())
    assert refused.value.key == "import.error.columns_missing"
    assert refused.value.render(T.plain) == ("缺少以下列：民族。请按台账模板补上列标题后再导入。")


def test_ledger__more_rows_than_the_limit__refused(county: Database) -> None:
    from tests.support.ledger_files import csv_bytes

    data = csv_bytes([left_behind_row(n) for n in range(1, 6)], "utf-8")
    with pytest.raises(UserError) as refused:
        run(county, data, max_rows=4)
    assert refused.value.key == "import.error.too_many_rows"
    assert count(county, Child) == 0


def test_cli_import__dry_run_then_import__report_written_and_nothing_logged(
    county: Database,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.cli import main
    from tests.conftest import TEST_DATA_KEY

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATA_KEY", TEST_DATA_KEY)
    monkeypatch.setenv("BOT_LOCALE", "zh_Hans")
    ledger, report = tmp_path / "台账.xlsx", tmp_path / "核对报告.xlsx"
    rows = [left_behind_row(1), left_behind_row(2, 户籍类别="农业户口")]
    ledger.write_bytes(workbook(rows))
    caplog.set_level("DEBUG")
    args = ["import", "ledger", str(ledger), "--org", COUNTY]
    assert main([*args, "--dry-run", "--report", str(report)]) == 0
    assert "有误\t1" in capsys.readouterr().out
    assert report_rows(report.read_bytes())[4][41:] == (
        "有误",
        "户籍类别：请填写以下之一：农村户、城市户。",
    )
    assert main(args) == 2  # a row is wrong: refused, nothing written
    assert "没有写入任何档案" in capsys.readouterr().err and count(county, Child) == 0
    assert main([*args, "--partial"]) == 0
    assert count(county, Child) == 1
    number = str(left_behind_row(1)["身份证号码"])
    assert number not in caplog.text and "13812345678" not in caplog.text


def test_ledger__reordered_columns_and_dates_as_text__read(county: Database) -> None:
    from tests.support.ledger_files import csv_bytes

    row = left_behind_row(
        4,
        **{
            "委托照护人情况/委托监护开始日期": "2024年3月1日",
            "委托照护人情况/委托监护结束日期": "20270228",
        },
    )
    lines = csv_bytes([row], "utf-8").decode().splitlines()
    reordered = "\n".join(",".join(reversed(line.split(","))) for line in lines)
    checked = run(county, reordered.encode("utf-8"))
    assert (checked.summary.valid, checked.summary.written) == (1, 1), checked.notes
    caregiver = county.call(lambda s: s.exec(select(Caregiver)).one())
    assert (caregiver.entrusted_from, caregiver.entrusted_until) == (
        date(2024, 3, 1),
        date(2027, 2, 28),
    )


def test_ledger__for_one_village__needs_no_village_column(county: Database) -> None:
    from tests.support.ledger_files import csv_bytes

    text = csv_bytes([left_behind_row(5)], "utf-8").decode()
    without_village = "\n".join(
        ",".join(cell for i, cell in enumerate(line.split(",")) if i != 1)
        for line in text.splitlines()
    )
    checked = run(county, without_village.encode(), org_code=VILLAGE)
    assert checked.summary.written == 1, checked.notes
    with pytest.raises(UserError) as refused:
        run(county, without_village.encode())  # the county: which village is not said
    assert refused.value.render(T.plain).startswith("缺少以下列：所属村")


def test_ledger__orphan_without_guardian_columns__imported(county: Database) -> None:
    # The attachment has no guardian columns; the chat asks an orphan's guardian, a ledger need not.
    orphan = left_behind_row(
        7,
        儿童类别="困境儿童",
        困境儿童具体类别="孤儿",
        **{
            "父亲信息/特殊情况": "死亡",
            "父亲信息/是否外出务工": None,
            "父亲信息/外出时长（月）": None,
            "父亲信息/务工地点": None,
            "母亲信息/特殊情况": "死亡",
            "母亲信息/是否外出务工": None,
            "母亲信息/外出时长（月）": None,
            "母亲信息/务工地点": None,
            "委托照护人情况/委托照护人": None,
            "委托照护人情况/姓名": None,
            "委托照护人情况/联系电话": None,
            "委托照护人情况/委托照料原因": None,
            "委托照护人情况/委托监护开始日期": None,
            "委托照护人情况/委托监护结束日期": None,
            "家庭监护情况": "高风险",
        },
    )
    checked = run(county, workbook([orphan]))
    assert (checked.summary.valid, checked.summary.written) == (1, 1), checked.notes
