"""Which column of a county's ledger holds which intake answer, read from its header rows.

Counties write the attachment's headers their own way: one header row or a group row above
("父亲信息" over 姓名, 身份证号码 …), extra words, brackets, reordered or extra columns. A
column is matched by its header text, prefixed with the person its group names, against the
intake fields' own labels (the zh_Hans catalog) and the variants below.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.forms.intake import INTAKE
from bot.forms.model import Field
from bot.i18n import I18n

# Columns that are not intake fields: the village the file belongs to, and what the ID number
# says already (checked against it).
VILLAGE, SEX, BIRTH = "__village__", "__sex__", "__birth__"
# The column → the intake question it answers for a child without an ID number.
ID_STANDINS = {SEX: "sex", BIRTH: "birth_date"}

# Questions the chat asks that a county's ledger has no column for: whether the home was visited
# on the day of filing (the chat's own question), the needs' categories (a ledger writes the
# needs in words, read into 关爱需求), and an orphan's guardian (not in the attachment). Read
# when a ledger has them; not asked of one without.
NOT_IN_LEDGER = frozenset({"visited_today", "need_kinds", "guardian_name", "guardian_kinship"})


def _optional(f: Field) -> Field:
    return replace(f, required=False) if f.name in NOT_IN_LEDGER else f


# The intake as a ledger row answers it: the same fields, parsers and rules, with the questions
# above optional.
LEDGER_INTAKE = replace(
    INTAKE,
    sections=tuple(
        replace(s, fields=tuple(_optional(f) for f in s.fields)) for s in INTAKE.sections
    ),
)

# Header variants counties write, beyond each field's own label, normalised (see `header_key`).
VARIANTS: dict[str, tuple[str, ...]] = {
    VILLAGE: (
        "村",
        "村名",
        "村居",
        "村(居)",
        "所属村",
        "所在村",
        "村(社区)",
        "所属村(社区)",
        "村(居)委会",
        "村委会",
        "村别",
        "行政村",
        "村代码",
        "村编码",
    ),
    SEX: ("性别",),
    BIRTH: ("出生年月", "出生日期", "出生年月日"),
    "child_name": ("姓名", "儿童名字"),
    "child_id": ("身份证号码", "身份证号", "公民身份号码", "儿童身份证号", "身份证"),
    "home_address": ("家庭住址", "住址", "家庭地址(详细)", "户籍地址"),
    "hukou": ("户籍类型", "户口类别", "户口性质", "户籍性质"),
    "category": ("儿童类型", "类别"),
    "difficulty_type": ("困境类别", "困境类型", "困境儿童类别", "困境儿童类型"),
    "difficulty_detail": ("困境情况",),
    "single_parent": ("单亲家庭", "是否单亲"),
    "schooling": ("就学", "就读情况", "在校情况"),
    "boarding": ("是否寄宿", "寄宿"),
    "guardianship": ("监护状况",),
    "guardianship_detail": ("监护不到位情形", "监护具体情况"),
    "health": ("健康状况", "身体状况"),
    "health_detail": ("患病名称", "疾病名称"),
    "psychology": ("心理和行为情况", "心理行为情况"),
    "assistance": ("享受救助情况", "救助情况", "享受救助"),
    "income_per_capita": ("家庭收入人均(元/年)", "家庭人均收入", "人均收入", "家庭年人均收入"),
    "family_subsidies": ("家庭享受补助情况", "家庭补助情况", "享受补助情况"),
    "caregiver_relation": ("委托照护人关系", "照护人关系", "与儿童关系", "委托照护人类别"),
    "caregiver_reason": ("委托照料原因", "委托原因"),
    "entrusted_from": ("委托开始日期", "委托监护起始日期", "委托起始日期"),
    "entrusted_until": ("委托结束日期", "委托监护截止日期", "委托截止日期"),
    "risk_tier": ("风险等级", "家庭监护情况", "监护风险等级"),
    "helper_name": ("结对帮扶人姓名", "帮扶人姓名", "结对人姓名"),
    "helper_phone": ("结对帮扶人电话", "帮扶人电话", "结对人员联系电话", "结对人电话"),
    "helper_unit": ("结对帮扶人单位", "帮扶人工作单位", "结对人员工作单位", "工作单位"),
    "care_needs": ("关爱需求", "服务需求"),
    "notes": ("其他说明", "备注"),
    # The guardian of an orphan or a child without de facto carers, where a ledger has one.
    "guardian_name": ("监护人姓名", "实际监护人姓名", "监护人"),
    "guardian_kinship": ("监护人关系", "与监护人关系", "监护人类别"),
    "guardian_phone": ("监护人电话", "监护人联系电话"),
}
PARENT_VARIANTS: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "id": ("身份证号码", "身份证号", "身份证"),
    "phone": ("联系电话", "电话", "手机", "手机号码"),
    "address": ("现住地址", "住址", "现居住地址", "地址"),
    "health": ("健康状况", "健康情况"),
    "illness": ("患病情况", "疾病名称"),
    "special": ("特殊情况",),
    "away": ("是否外出务工", "是否外出", "外出务工"),
    "away_months": ("外出时长(月)", "外出月数", "外出时间(月)", "外出几个月"),
    "work_place": ("务工地点", "务工地点及联系方式", "务工地址"),
    "can_guard": ("是否有监护能力", "有无监护能力", "监护能力"),
}
# Who a group header (or a header's own first word) speaks of, and the word its fields' labels
# start with.
PEOPLE = (
    ("father", "父亲", ("父亲",)),
    ("mother", "母亲", ("母亲",)),
    ("caregiver", "照护人", ("委托照护人", "照护人")),
    ("helper", "结对人员", ("结对",)),
)

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "：": ":"})


def header_key(text: object) -> str:
    """A header as compared: NFKC, no spaces, round brackets, no closing question mark."""
    if text is None:
        return ""
    key = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    return re.sub(r"\s+", "", key).rstrip("?:*")


def _labels(i18n: I18n) -> dict[str, str]:
    """Every header key (the field's zh_Hans label, and its variants) → field name."""
    zh = i18n.translator("zh_Hans")
    known: dict[str, str] = {}
    for f in INTAKE.fields:
        # 性别 and 出生年月 are what the ID number says (checked against it); for a child
        # without one they answer the intake's own questions (see ID_STANDINS).
        if not f.options.get("redo_on_no") and f.name not in ID_STANDINS.values():
            known.setdefault(header_key(zh.plain(f.label)), f.name)
    for who, word, _markers in PEOPLE[:2]:  # the father's and the mother's columns
        for part, variants in PARENT_VARIANTS.items():
            for variant in variants:
                known.setdefault(header_key(word + variant), f"{who}_{part}")
    for name, variants in VARIANTS.items():
        for variant in variants:
            known.setdefault(header_key(variant), name)
    return known


@dataclass(frozen=True)
class ColumnMap:
    """Where each answer is: field name → column index; header row count; unknown columns."""

    columns: dict[str, int]
    header_rows: int
    headers: tuple[str, ...]


def _person_of(text: str) -> tuple[str, str] | None:
    for _who, word, markers in PEOPLE:
        if any(marker in text for marker in markers):
            return word, next(m for m in markers if m in text)
    return None


def _candidates(group: str, header: str) -> list[str]:
    """The keys a column may be known by: its header prefixed with its group's person first."""
    found = []
    person = _person_of(group)
    if person is not None and _person_of(header) is None:
        found.append(header_key(person[0] + header))
    found.append(header_key(header))
    if person is None and group and header:
        found.append(header_key(group + header))
    return found


def _shown(group: str, own: str) -> str:
    """A column as the report names it: as written, with the person its group names."""
    person = _person_of(group)
    if person is not None and own and _person_of(own) is None:
        return person[0] + own
    return own or group


def match_header(rows: Sequence[Sequence[object]], i18n: I18n) -> ColumnMap | None:
    """Find the header among the first rows: consecutive rows naming fields, the last of them
    the columns' own headers and those above their groups. None when no header is found."""
    known = _labels(i18n)
    hits = [sum(1 for cell in row if header_key(cell) in known) for row in rows]
    first = next((i for i, n in enumerate(hits) if n >= 3), None)
    if first is None:
        return None
    at = first
    while at + 1 < len(rows) and hits[at + 1] >= 2:
        at += 1
    width = max(len(r) for r in rows[: at + 1])
    groups, written = [""] * width, [""] * width  # as compared, and as written
    for row in rows[max(0, at - 3) : at]:  # merged group cells hold text in their first column
        carried, carried_text = "", ""
        for column in range(width):
            cell = row[column] if column < len(row) else None
            if header_key(cell):
                carried, carried_text = header_key(cell), "".join(str(cell).split())
            if carried:
                groups[column], written[column] = carried, carried_text
    columns: dict[str, int] = {}
    headers: list[str] = []
    for column in range(width):
        raw = rows[at][column] if column < len(rows[at]) else None
        own = header_key(raw)
        header = own or groups[column]  # a header merged down over the rows below it
        headers.append(_shown(written[column], "".join(str(raw or "").split())))
        for key in _candidates(groups[column] if own else "", header):
            name = known.get(key)
            if name is not None:
                columns.setdefault(name, column)
                break
    return ColumnMap(columns=columns, header_rows=at + 1, headers=tuple(headers))


def required_fields() -> tuple[Field, ...]:
    """Fields every row must answer whatever the others say: their columns must be present."""
    return tuple(
        f
        for f in INTAKE.fields
        if f.required
        and not f.relevant.fields
        and not f.options.get("redo_on_no")
        and f.name not in NOT_IN_LEDGER
    )
