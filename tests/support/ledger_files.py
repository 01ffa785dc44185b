"""Ledger workbooks as counties keep them, made in the test: a title row, a group row over the
parents' columns, Chinese headers, and rows a test changes cell by cell."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook

from tests.support.ids import resident_id

# (group header or "", column header) in the order this county writes them.
COLUMNS: list[tuple[str, str]] = [
    ("", "序号"),
    ("", "所属村"),
    ("", "姓名"),
    ("", "性别"),
    ("", "出生年月"),
    ("", "身份证号码"),
    ("", "民族"),
    ("", "家庭地址"),
    ("", "户籍类别"),
    ("", "儿童类别"),
    ("", "困境儿童具体类别"),
    ("", "是否单亲家庭"),
    ("", "就学情况"),
    ("", "寄宿情况"),
    ("", "监护情况"),
    ("", "健康情况"),
    ("", "享受救助情况"),
    ("父亲信息", "姓名"),
    ("父亲信息", "联系电话"),
    ("父亲信息", "健康状况"),
    ("父亲信息", "特殊情况"),
    ("父亲信息", "是否外出务工"),
    ("父亲信息", "外出时长（月）"),
    ("父亲信息", "务工地点"),
    ("母亲信息", "姓名"),
    ("母亲信息", "联系电话"),
    ("母亲信息", "健康状况"),
    ("母亲信息", "特殊情况"),
    ("母亲信息", "是否外出务工"),
    ("母亲信息", "外出时长（月）"),
    ("母亲信息", "务工地点"),
    ("", "家庭收入人均（元/年）"),
    ("", "家庭享受补助情况"),
    ("委托照护人情况", "委托照护人"),
    ("委托照护人情况", "姓名"),
    ("委托照护人情况", "联系电话"),
    ("委托照护人情况", "委托照料原因"),
    ("委托照护人情况", "委托监护开始日期"),
    ("委托照护人情况", "委托监护结束日期"),
    ("", "家庭监护情况"),
    ("", "备注（县里自加）"),
]
HEADERS = [header for _group, header in COLUMNS]
TITLE = "闽侯县农村留守儿童和困境儿童个人信息台账"


def left_behind_row(number: int, **changes: object) -> dict[str, object]:
    """A left-behind boy's row, every cell valid, told apart by `number`; `changes` by header
    (a parent's column as 父亲信息/姓名)."""
    birth = f"2015{(number % 12) + 1:02d}{(number % 27) + 1:02d}"
    row: dict[str, object] = {
        "序号": number,
        "所属村": "溪头村",
        "姓名": f"张小{number}",
        "性别": "男",
        "出生年月": f"{birth[:4]}年{int(birth[4:6])}月",
        "身份证号码": resident_id(birth=birth, sequence=f"{(number * 2 + 1) % 1000:03d}"),
        "民族": "汉族",
        "家庭地址": f"闽侯县白沙镇溪头村{number}号",
        "户籍类别": "农村户",
        "儿童类别": "农村留守儿童",
        "困境儿童具体类别": None,
        "是否单亲家庭": "否",
        "就学情况": "小学",
        "寄宿情况": "非寄宿生",
        "监护情况": "一般",
        "健康情况": "健康",
        "享受救助情况": "无",
        "父亲信息/姓名": "张大山",
        "父亲信息/联系电话": "13812345678",
        "父亲信息/健康状况": "健康",
        "父亲信息/特殊情况": "无",
        "父亲信息/是否外出务工": "是",
        "父亲信息/外出时长（月）": 8,
        "父亲信息/务工地点": "厦门",
        "母亲信息/姓名": "李秀英",
        "母亲信息/联系电话": "13912345678",
        "母亲信息/健康状况": "健康",
        "母亲信息/特殊情况": "无",
        "母亲信息/是否外出务工": "是",
        "母亲信息/外出时长（月）": "6",
        "母亲信息/务工地点": "泉州",
        "家庭收入人均（元/年）": "12000",
        "家庭享受补助情况": "无",
        "委托照护人情况/委托照护人": "祖父母、外祖父母",
        "委托照护人情况/姓名": "张老汉",
        "委托照护人情况/联系电话": "15012345678",
        "委托照护人情况/委托照料原因": "父母双方同时外出",
        "委托照护人情况/委托监护开始日期": datetime(2024, 3, 1),
        "委托照护人情况/委托监护结束日期": "2027/2/28",
        "家庭监护情况": "中风险",
        "备注（县里自加）": "县里自己加的列",
    }
    row.update(changes)
    return row


def _key(group: str, header: str) -> str:
    return f"{group}/{header}" if group else header


def as_cells(row: dict[str, object]) -> list[object]:
    return [row.get(_key(group, header)) for group, header in COLUMNS]


def header_rows() -> list[list[object]]:
    """A title row, a group row (each group's text in its first column, as merged cells read)
    and the headers; columns without a group have their header merged down into the group row."""
    groups: list[object] = []
    last = ""
    for group, header in COLUMNS:
        groups.append(header if not group else (group if group != last else None))
        last = group
    own = [header if group else None for group, header in COLUMNS]
    return [[TITLE], groups, own]


def workbook(rows: Sequence[dict[str, object]], trailing_empty: int = 3) -> bytes:
    """An .xlsx ledger of the rows, with merged header cells and empty rows after the data."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for cells in header_rows():
        sheet.append(cells)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    for cells in (as_cells(r) for r in rows):
        sheet.append(cells)
    for _ in range(trailing_empty):
        sheet.append([None] * len(COLUMNS))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: Sequence[dict[str, object]], encoding: str = "gb18030") -> bytes:
    """A one-header-row CSV of the rows (parents' columns as 父亲姓名 …), in the encoding."""
    import csv

    person = {"父亲信息": "父亲", "母亲信息": "母亲", "委托照护人情况": "照护人"}
    names = [
        person[g] + h
        if g
        and h
        in (
            "姓名",
            "联系电话",
            "健康状况",
            "特殊情况",
            "是否外出务工",
            "外出时长（月）",
            "务工地点",
        )
        else h
        for g, h in COLUMNS
    ]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if v is None else str(v) for v in as_cells(row)])
    return text.getvalue().encode(encoding)
