"""The ledger as Excel files: the roll-up's columns and rows, masking by role, encryption,
refusals (audited, nothing written), splitting at the size limit, one child's file."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import msoffcrypto
import openpyxl
import pytest
from sqlmodel import Session, col, select

from bot.exports.ledger import HEADERS
from bot.exports.service import (
    BUSY,
    Export,
    ExportRefused,
    Requester,
    export_area,
    export_child,
)
from bot.i18n import I18n
from bot.people.access import Caller
from bot.personal import mask_id_number
from storage.care_log_models import HelpGiven, WorkLogChild, WorkLogEntry
from storage.db import Database
from storage.models import AuditEntry
from tests.support.database import using_postgres
from tests.support.ledger import TODAY, Filed, file_township
from tests.support.seed import (
    COUNTY,
    OTHER_TOWNSHIP,
    TOWNSHIP,
    VILLAGE,
    enrol_caller,
    seed_region,
)

ZH = I18n().translator("zh_Hans")
TZ = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")


@pytest.fixture
def filed(db: Database) -> Filed:
    seed_region(db)
    return file_township(db)


def _open(path: Path, password: str | None = None) -> Any:
    if password is None:
        return openpyxl.load_workbook(path, read_only=True)
    clear = io.BytesIO()
    with path.open("rb") as handle:
        office = msoffcrypto.OfficeFile(handle)
        office.load_key(password=password)
        office.decrypt(clear)
    return openpyxl.load_workbook(clear, read_only=True)


def _rows(book: Any, sheet: str) -> list[dict[str, Any]]:
    rows = list(book[sheet].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def _audits(db: Database, action: str) -> list[AuditEntry]:
    return list(
        db.call(lambda s: s.exec(select(AuditEntry).where(col(AuditEntry.action) == action)).all())
    )


def _area(db: Database, caller: Caller, **kwargs: Any) -> Export:
    options: dict[str, Any] = {"org_code": None, "year": None, "today": TODAY, "tz": TZ, "zh": ZH}
    options.update(kwargs)
    return export_area(db, Requester.of_caller(caller), **options)


def test_export_area__supervisor__own_township_masked(db: Database, filed: Filed) -> None:
    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    export = _area(db, supervisor)
    assert export.password is None and export.masked and export.rows == 3
    book = _open(export.files[0])
    assert book.sheetnames == ["台账", "走访记录", "预警上报", "帮扶记录", "工作日志", "按单位汇总"]
    header = next(book["台账"].iter_rows(values_only=True))
    assert header == HEADERS
    assert header[2:7] == ("姓名", "性别", "民族", "出生年月", "身份证号码")
    rows = _rows(book, "台账")
    assert [r["姓名"] for r in rows] == ["张小明", "王小红", "李小华"]  # not 南屿镇's child
    first = rows[0]
    assert first["乡镇（街道）"] == "白沙镇" and first["村（居）"] == "溪头村"
    assert first["身份证号码"] == mask_id_number(filed.id_numbers[filed.village[0]])
    assert first["父亲联系电话"] == "138****5678"
    assert first["委托照护人联系电话"] == "150****5678"
    assert first["出生年月"] == datetime(2015, 3, 5)  # a date, not text
    assert first["家庭收入人均(元/年)"] == 12000  # a number
    assert first["家庭监护情况"] == "中风险"
    # The last home visit of each quarter; the call in June and last year's visit do not count.
    assert first["一季度走访时间"] == datetime(2026, 3, 10)
    assert "成绩下滑" in first["一季度发现的问题"]
    assert first["一季度解决措施"] == "联系学校老师辅导"
    assert first["二季度走访时间"] == datetime(2026, 5, 20)
    assert first["三季度走访时间"] is None
    assert first["四季度解决措施"] == "送去学习用品"
    visits = _rows(book, "走访记录")
    assert len(visits) == 5  # this year's, the call included
    (escalation,) = _rows(book, "预警上报")
    assert escalation["儿童姓名"] == "张小明" and escalation["状态"] == "待处理"
    assert escalation["上报时间"] == datetime(2026, 10, 8, 10, 30)  # Beijing time
    assert escalation["已通知（报警、急救、学校等）"] == "已报警（110） 2026-10-08 11:30"
    summary = _rows(book, "按单位汇总")
    assert [row["村（居）"] for row in summary[:-1]] == ["溪头村", "上洋村"]
    assert summary[0]["本年走访次数"] == 5 and summary[0]["未办结预警"] == 1
    assert summary[-1]["乡镇（街道）"] == "合计" and summary[-1]["儿童数"] == 3
    export.discard()
    (audit,) = _audits(db, "export.ledger")
    assert audit.actor_staff_id == supervisor.staff_id and audit.record_id == TOWNSHIP
    assert json.loads(audit.new_value or "{}")["rows"] == 3
    assert json.loads(audit.new_value or "{}")["masked"] is True


def test_export_area__streamed_a_row_at_a_time__same_workbook(
    db: Database, filed: Filed, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import export_queries

    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    whole = _area(db, supervisor)
    expected = {name: _rows(_open(whole.files[0]), name) for name in ("台账", "走访记录")}
    whole.discard()
    # Many chunks: the cursor stays open while each chunk's parents and visits are read.
    monkeypatch.setattr(export_queries, "CHUNK", 1)
    streamed = _area(db, supervisor)
    book = _open(streamed.files[0])
    assert {name: _rows(book, name) for name in expected} == expected
    assert streamed.rows == 3
    streamed.discard()


def test_export_area__admin__full_numbers_encrypted(db: Database, filed: Filed) -> None:
    admin = enrol_caller(db, "admin", COUNTY, 3001)
    export = _area(db, admin)
    assert export.password and not export.masked and export.rows == 4
    with pytest.raises(Exception):  # noqa: B017 - encrypted: not a zip openpyxl can read
        openpyxl.load_workbook(export.files[0])
    rows = _rows(_open(export.files[0], export.password), "台账")
    first = rows[0]
    assert first["身份证号码"] == filed.id_numbers[filed.village[0]]
    assert first["父亲联系电话"] == "13812345678"
    assert {r["乡镇（街道）"] for r in rows} == {"白沙镇", "南屿镇"}
    export.discard()
    (audit,) = _audits(db, "export.ledger")
    assert json.loads(audit.new_value or "{}")["masked"] is False


def test_export_area__supervisor_asks_for_another_township__refused_and_audited(
    db: Database, filed: Filed
) -> None:
    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    with pytest.raises(ExportRefused) as refused:
        _area(db, supervisor, org_code=OTHER_TOWNSHIP)
    assert refused.value.key == "export.error.outside_area"
    assert _audits(db, "export.ledger") == []
    (audit,) = _audits(db, "export.refused")
    assert audit.actor_staff_id == supervisor.staff_id and audit.record_id == OTHER_TOWNSHIP


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"org_code": "359999"}, "export.error.unknown_org"),
        ({"year": 2027}, "export.error.future_year"),
    ],
)
def test_export_area__bad_request__refused_and_audited(
    db: Database, filed: Filed, kwargs: dict[str, Any], key: str
) -> None:
    admin = enrol_caller(db, "admin", COUNTY, 3001)
    with pytest.raises(ExportRefused) as refused:
        _area(db, admin, **kwargs)
    assert refused.value.key == key
    (audit,) = _audits(db, "export.refused")
    assert json.loads(audit.new_value or "{}")["reason"] == key


def test_export_area__while_another_is_built__told_busy(db: Database, filed: Filed) -> None:
    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    with BUSY.hold(f"staff:{supervisor.staff_id}") as free:
        assert free
        with pytest.raises(ExportRefused) as refused:
            _area(db, supervisor)
    assert refused.value.key == "export.error.busy"
    _area(db, supervisor).discard()  # once the first is done, the next one is built


@pytest.mark.skipif(not using_postgres(), reason="several processes serve chat on PostgreSQL only")
def test_export_area__built_by_another_process__told_busy(db: Database, filed: Filed) -> None:
    from storage.export_queries import person_export_lock

    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    # Another process's export: the same lock, taken on a connection of another engine.
    other = Database(db.url)
    try:
        with person_export_lock(engine=other.engine, staff_id=supervisor.staff_id) as taken:
            assert taken
            with pytest.raises(ExportRefused) as refused:
                _area(db, supervisor)
        assert refused.value.key == "export.error.busy"
    finally:
        other.dispose()
    _area(db, supervisor).discard()


def test_export_area__over_the_size_limit__split_by_village(db: Database, filed: Filed) -> None:
    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    sizes = {}
    for code in (TOWNSHIP, "350121100201", "350121100202"):
        export = _area(db, supervisor, org_code=code)
        sizes[code] = export.files[0].stat().st_size
        export.discard()
    # A limit the township's file is over and each village's under (with a margin: the files
    # carry their creation time, so their compressed sizes vary by a few bytes).
    limit = max(sizes["350121100201"], sizes["350121100202"]) + 64
    assert sizes[TOWNSHIP] > limit + 64
    split = _area(db, supervisor, max_bytes=limit)
    names = sorted(p.name for p in split.files)
    assert names == [f"ledger-{code}-2026.xlsx" for code in ("350121100201", "350121100202")]
    villages = [[r["村（居）"] for r in _rows(_open(p), "台账")] for p in sorted(split.files)]
    assert villages == [["溪头村", "溪头村"], ["上洋村"]]
    split.discard()
    with pytest.raises(ExportRefused) as refused:
        _area(db, supervisor, max_bytes=1000)
    assert refused.value.key == "export.error.too_big"


def test_export_child__director__attachment_layout(db: Database, filed: Filed) -> None:
    export = export_child(
        db, Requester.of_caller(filed.director), child_id=filed.village[0], today=TODAY, zh=ZH
    )
    sheet = _open(export.files[0]).active
    cells = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert cells[0] == "农村留守儿童和困境儿童个人信息台账"
    for label in ("儿童基本信息", "家庭信息", "结对信息", "走访情况", "关爱服务需求", "建档时间"):
        assert label in cells
    after = {cells[i]: cells[i + 1] for i in range(len(cells) - 1)}
    assert after["姓名"] == "张小明"
    assert after["身份证号码"] == mask_id_number(filed.id_numbers[filed.village[0]])
    assert after["一季度走访时间"] == datetime(2026, 3, 10)
    export.discard()
    (audit,) = _audits(db, "export.child")
    assert (audit.table_name, audit.record_id) == ("child", str(filed.village[0]))
    assert json.loads(audit.new_value or "{}")["masked"] is True


def test_export_child__director_of_another_village__refused(db: Database, filed: Filed) -> None:
    with pytest.raises(ExportRefused) as refused:
        export_child(
            db, Requester.of_caller(filed.director), child_id=filed.other, today=TODAY, zh=ZH
        )
    assert refused.value.key == "export.error.child_not_found"
    assert len(_audits(db, "export.refused")) == 1


def test_year_span__quarters_of_a_year() -> None:
    from bot.exports.gather import quarter_of

    assert [quarter_of(date(2026, m, 1)) for m in (1, 3, 4, 7, 9, 10, 12)] == [1, 1, 2, 3, 3, 4, 4]


def test_export_area__help_given_and_work_log__on_sheets_of_their_own(
    db: Database, filed: Filed
) -> None:
    first, second = filed.village
    staff = filed.director.staff_id
    moment = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

    def record(session: Session) -> None:
        session.add(
            HelpGiven(
                child_id=first,
                kind="study",
                given_by="镇中心小学",
                given_on=date(2026, 9, 1),
                note="送去学习用品",
                author_id=staff,
                created_at=moment,
            )
        )
        # Last year's help is not this year's export.
        session.add(
            HelpGiven(
                child_id=second,
                kind="material",
                given_by="村委会",
                given_on=date(2025, 12, 31),
                author_id=staff,
                created_at=moment,
            )
        )
        entry = WorkLogEntry(
            village_code=VILLAGE,
            author_id=staff,
            done_on=date(2026, 9, 2),
            what="走访两户并填表",
            created_at=moment,
        )
        session.add(entry)
        session.flush()
        assert entry.id is not None
        session.add_all([WorkLogChild(entry_id=entry.id, child_id=c) for c in (first, second)])

    db.call(record)
    export = _area(db, enrol_caller(db, "supervisor", TOWNSHIP, 2001))
    book = _open(export.files[0])
    (given,) = _rows(book, "帮扶记录")
    assert (given["儿童姓名"], given["帮扶类别"], given["帮扶人或单位"]) == (
        "张小明",
        "学业帮扶",
        "镇中心小学",
    )
    assert given["帮扶日期"] == datetime(2026, 9, 1) and given["说明"] == "送去学习用品"
    (log,) = _rows(book, "工作日志")
    assert log["工作内容"] == "走访两户并填表" and log["涉及儿童"] == "张小明、王小红"
    assert log["村（居）"] == "溪头村" and log["日期"] == datetime(2026, 9, 2)
    export.discard()
