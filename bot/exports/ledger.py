"""The ledger's fields (个人信息台账), in the attachment's order, and one child's values for them.

The column headers are the attachment's own Chinese words: the ledger is the province's form,
filled in Chinese whatever language the person asking reads. Stored choice codes are shown with
the catalog's Chinese labels; ID numbers and phones are masked unless the export is for someone
who may see them in full (roles.EXPORT_FULL_NUMBERS).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bot.i18n import Translator
from bot.personal import mask_id_number, mask_phone, national_phone

QUARTERS = ("一", "二", "三", "四")


@dataclass(frozen=True)
class QuarterVisit:
    """The last home visit of a quarter: when, the problems found, the measures taken."""

    visited_on: date
    problems: str
    measures: str


@dataclass
class ChildLedger:
    """Everything one ledger row holds, gathered from the child's rows."""

    child: Any  # a row of the child table (personal columns already decrypted)
    township: str
    village: str
    father: Any = None
    mother: Any = None
    caregiver: Any = None
    aid: list[tuple[str, Decimal | None]] = field(default_factory=list)
    family_aid: list[tuple[str, Decimal | None]] = field(default_factory=list)
    quarters: dict[int, QuarterVisit] = field(default_factory=dict)
    director: tuple[str, str] = ("", "")  # name, phone (E.164)
    filed_by: str = ""


class Shown:
    """Turns stored values into what a cell shows: Chinese labels, numbers masked or not."""

    def __init__(self, t: Translator, *, full_numbers: bool) -> None:
        self.t = t
        self.full_numbers = full_numbers
        self._labels: dict[
            tuple[str, str], str
        ] = {}  # a few hundred choices, asked millions of times

    def label(self, group: str, value: str | None) -> str:
        if not value:
            return ""
        found = self._labels.get((group, value))
        if found is None:
            key = f"choice.{group}.{value}"
            found = self.t.plain(key) if key in self.t.messages else value
            self._labels[(group, value)] = found
        return found

    def labels(self, group: str, values: str | None) -> str:
        """Comma-separated choice values as labels joined by 、."""
        return "、".join(self.label(group, v) for v in (values or "").split(",") if v)

    def id_number(self, value: str | None) -> str:
        return (value or "") if self.full_numbers else mask_id_number(value)

    def phone(self, value: str | None) -> str:
        if not value:
            return ""
        if not self.full_numbers:
            return mask_phone(value)
        return national_phone(value) if value.startswith("+") else value

    def aid(self, group: str, items: Sequence[tuple[str, Decimal | None]]) -> str:
        parts = []
        for kind, yuan in items:
            name = self.label(group, kind)
            parts.append(f"{name}{yuan:g}元/月" if yuan is not None else name)
        return "；".join(parts) or self.label(group, "none")


Getter = Callable[[ChildLedger, Shown], Any]


@dataclass(frozen=True)
class Column:
    """One ledger field: the attachment's section and header, a width, and its value."""

    section: str
    header: str
    width: int
    value: Getter


def _field(name: str) -> Getter:
    return lambda ledger, _shown: getattr(ledger.child, name)


def _yuan(name: str) -> Getter:
    def value(ledger: ChildLedger, _shown: Shown) -> float | None:
        amount = getattr(ledger.child, name)
        return None if amount is None else float(amount)  # a number in the cell

    return value


def _parent(who: str, name: str) -> Getter:
    def value(ledger: ChildLedger, _shown: Shown) -> Any:
        row = getattr(ledger, who)
        return getattr(row, name) if row is not None else None

    return value


def _parent_id(who: str) -> Getter:
    return lambda ledger, shown: shown.id_number(_parent(who, "id_number")(ledger, shown))


def _parent_phone(who: str) -> Getter:
    return lambda ledger, shown: shown.phone(_parent(who, "phone")(ledger, shown))


def _parent_health(who: str) -> Getter:
    return lambda ledger, shown: shown.label("parent_health", _parent(who, "health")(ledger, shown))


def _parent_special(who: str) -> Getter:
    return lambda ledger, shown: shown.labels("special", _parent(who, "special")(ledger, shown))


def _caregiver(name: str) -> Getter:
    return lambda ledger, _shown: getattr(ledger.caregiver, name) if ledger.caregiver else None


def _quarter(index: int, part: str) -> Getter:
    return lambda ledger, _shown: (
        getattr(ledger.quarters[index], part) if index in ledger.quarters else None
    )


def _health(ledger: ChildLedger, shown: Shown) -> str:
    text = shown.label("health", ledger.child.health)
    detail = ledger.child.health_detail
    grade = ledger.child.disability_grade
    if grade:
        detail = shown.label("disability_grade", grade)
    return f"{text}（{detail}）" if detail else text


def _category(ledger: ChildLedger, shown: Shown) -> str:
    return shown.label("category", ledger.child.category)


def _difficulty(ledger: ChildLedger, shown: Shown) -> str:
    kind = shown.label("difficulty", ledger.child.difficulty_type)
    detail = ledger.child.difficulty_detail
    return f"{kind}（{detail}）" if kind and detail else kind


def _filed_on(ledger: ChildLedger, _shown: Shown) -> date:
    filed: datetime = ledger.child.filed_at
    return filed.date()


def _parent_columns(who: str, title: str) -> list[Column]:
    return [
        Column("家庭信息", f"{title}姓名", 10, _parent(who, "name")),
        Column("家庭信息", f"{title}身份证号码", 21, _parent_id(who)),
        Column("家庭信息", f"{title}联系电话", 14, _parent_phone(who)),
        Column("家庭信息", f"{title}现住地址", 24, _parent(who, "address")),
        Column("家庭信息", f"{title}健康状况", 10, _parent_health(who)),
        Column("家庭信息", f"{title}患病情况", 14, _parent(who, "illness")),
        Column("家庭信息", f"{title}特殊情况", 16, _parent_special(who)),
        Column("家庭信息", f"{title}务工地点", 18, _parent(who, "work_place")),
    ]


def _quarter_columns() -> list[Column]:
    columns = []
    for index, name in enumerate(QUARTERS, start=1):
        columns += [
            Column("走访情况", f"{name}季度走访时间", 12, _quarter(index, "visited_on")),
            Column("走访情况", f"{name}季度发现的问题", 24, _quarter(index, "problems")),
            Column("走访情况", f"{name}季度解决措施", 24, _quarter(index, "measures")),
        ]
    return columns


BASIC = "儿童基本信息"
COLUMNS: tuple[Column, ...] = (
    Column("所属单位", "乡镇（街道）", 12, lambda ledger, _s: ledger.township),
    Column("所属单位", "村（居）", 12, lambda ledger, _s: ledger.village),
    Column(BASIC, "姓名", 10, _field("name")),
    Column(BASIC, "性别", 6, lambda ledger, s: s.label("sex", ledger.child.sex)),
    Column(BASIC, "民族", 8, lambda ledger, s: s.label("ethnicity", ledger.child.ethnicity)),
    Column(BASIC, "出生年月", 12, _field("birth_date")),
    Column(BASIC, "身份证号码", 21, lambda ledger, s: s.id_number(ledger.child.id_number)),
    Column(BASIC, "家庭地址", 28, _field("home_address")),
    Column(BASIC, "户籍类别", 8, lambda ledger, s: s.label("hukou", ledger.child.hukou)),
    Column(BASIC, "儿童类别", 12, _category),
    Column(BASIC, "困境儿童具体类别", 16, _difficulty),
    Column(
        BASIC,
        "是否单亲家庭",
        12,
        lambda ledger, s: s.label("single_parent", ledger.child.single_parent),
    ),
    Column(
        BASIC,
        "就学情况",
        10,
        lambda ledger, s: s.label("schooling", ledger.child.schooling),
    ),
    Column(
        BASIC,
        "寄宿情况",
        10,
        lambda ledger, s: s.label("boarding", ledger.child.boarding),
    ),
    Column(
        BASIC,
        "监护情况",
        12,
        lambda ledger, s: s.label("guardianship", ledger.child.guardianship),
    ),
    Column(BASIC, "监护不到位具体情形", 18, _field("guardianship_detail")),
    Column(BASIC, "健康情况", 16, _health),
    Column(BASIC, "日常心理和行为情况", 20, _field("psychology")),
    Column(BASIC, "享受救助情况", 20, lambda ledger, s: s.aid("assistance", ledger.aid)),
    Column(BASIC, "教育救助情况", 14, _field("education_aid")),
    Column(BASIC, "医疗救助情况", 14, _field("medical_aid")),
    Column(BASIC, "其他救助情况", 14, _field("other_aid")),
    *_parent_columns("father", "父亲"),
    *_parent_columns("mother", "母亲"),
    Column("家庭信息", "家庭收入人均(元/年)", 12, _yuan("income_per_capita")),
    Column(
        "家庭信息", "家庭享受补助情况", 18, lambda ledger, s: s.aid("subsidy", ledger.family_aid)
    ),
    Column("家庭信息", "社会力量帮扶情况", 18, _field("social_support")),
    Column(
        "留守儿童委托照护人情况",
        "委托照护人",
        14,
        lambda ledger, s: s.label("caregiver", _caregiver("relation")(ledger, s)),
    ),
    Column("留守儿童委托照护人情况", "委托照护人姓名", 10, _caregiver("name")),
    Column(
        "留守儿童委托照护人情况",
        "委托照护人联系电话",
        14,
        lambda ledger, s: s.phone(_caregiver("phone")(ledger, s)),
    ),
    Column(
        "留守儿童委托照护人情况",
        "委托照料原因",
        20,
        lambda ledger, s: s.label("caregiver_reason", _caregiver("reason")(ledger, s)),
    ),
    Column("留守儿童委托照护人情况", "委托起始日期", 12, _caregiver("entrusted_from")),
    Column("留守儿童委托照护人情况", "委托截止日期", 12, _caregiver("entrusted_until")),
    Column(
        "留守儿童委托照护人情况",
        "家庭监护情况",
        10,
        lambda ledger, s: s.label("risk", ledger.child.risk_tier),
    ),
    Column("结对信息", "儿童主任姓名", 10, lambda ledger, _s: ledger.director[0]),
    Column("结对信息", "儿童主任电话", 14, lambda ledger, s: s.phone(ledger.director[1])),
    Column("结对信息", "结对人员姓名", 10, _field("helper_name")),
    Column(
        "结对信息",
        "结对人员电话",
        14,
        lambda ledger, s: s.phone(ledger.child.helper_phone),
    ),
    Column("结对信息", "结对人员所在单位", 18, _field("helper_unit")),
    *_quarter_columns(),
    Column("关爱服务需求", "关爱服务需求", 24, _field("care_needs")),
    Column("其他说明情况", "其他说明情况", 24, _field("notes")),
    Column("建档", "建档人", 10, lambda ledger, _s: ledger.filed_by),
    Column("建档", "建档时间", 12, _filed_on),
)
HEADERS = tuple(column.header for column in COLUMNS)


GETTERS = tuple(column.value for column in COLUMNS)


def ledger_values(ledger: ChildLedger, shown: Shown) -> list[Any]:
    """One child's values in the columns' order; amounts as numbers, dates as dates."""
    return [value(ledger, shown) for value in GETTERS]


def problems_text(shown: Shown, problems: Sequence[tuple[str, str]]) -> str:
    """Problems found on a visit as "category: note" joined by semicolons."""
    return "；".join(
        f"{shown.label('problem', category)}：{note}" if note else shown.label("problem", category)
        for category, note in problems
    )


def unit_names(
    units: Mapping[str, tuple[str, str, str | None]], village_code: str
) -> tuple[str, str]:
    """The township and village names of a village code."""
    village = units.get(village_code)
    if village is None:
        return "", village_code
    parent = units.get(village[2] or "")
    return (parent[0] if parent else ""), village[0]
