"""The field parsers accept what village staff type on a phone and refuse it with a clear key."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import InvalidAnswer
from bot.forms import parsers
from bot.forms.parsers import (
    ResidentId,
    age_on,
    normalise,
    parse_date,
    parse_id_number,
    parse_int,
    parse_long_text,
    parse_money,
    parse_phone,
    parse_text,
    parse_yes_no,
)
from bot.i18n import load_catalog

TODAY = date(2024, 6, 15)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_digit(first17: str) -> str:
    """The GB 11643 check digit, computed independently of the code under test."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def make_id(birth: str = "20150305", sequence: str = "123", region: str = "350102") -> str:
    first17 = region + birth + sequence
    return first17 + check_digit(first17)


def refusal(call: object, *args: object, **kwargs: object) -> InvalidAnswer:
    assert callable(call)
    with pytest.raises(InvalidAnswer) as caught:
        call(*args, **kwargs)
    return caught.value


def test_check_digit_helper__known_example__matches() -> None:
    assert make_id("19491231", "002", "110105") == "11010519491231002X"


# --- normalise and text -----------------------------------------------------------------------


def test_normalise__full_width_and_spaces__half_width_single_spaces() -> None:
    assert normalise("　王　小　明 ") == "王 小 明"
    assert normalise("２０２４／３／５") == "2024/3/5"
    assert normalise("a \t  b\n c") == "a b c"


def test_parse_text__name_with_spaces__trimmed() -> None:
    assert parse_text("  王小明  ") == "王小明"


def test_parse_text__only_spaces__refused_as_empty() -> None:
    assert refusal(parse_text, " 　 ").key == "error.text.empty"


def test_parse_text__too_long__refused_with_limit() -> None:
    error = refusal(parse_text, "字" * 11, max_length=10)
    assert (error.key, error.values) == ("error.text.too_long", {"limit": 10, "length": 11})
    assert parse_text("字" * 10, max_length=10) == "字" * 10


def test_parse_long_text__several_lines__line_breaks_kept() -> None:
    typed = "\n 第一行  有空格 \r\n\n\n\n第二行　\n\n"
    assert parse_long_text(typed) == "第一行 有空格\n\n第二行"


def test_parse_long_text__empty_or_too_long__refused() -> None:
    assert refusal(parse_long_text, "\n \n").key == "error.text.empty"
    error = refusal(parse_long_text, "ab\ncd", max_length=4)
    assert (error.key, error.values) == ("error.text.too_long", {"limit": 4, "length": 5})


# --- hostile text: controls, bidi overrides, invisible-only answers ---------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "王小\x00明",  # NUL: PostgreSQL refuses the whole row
        "王小明\x07",  # BEL
        "\x1b[31m王小明",  # ESC, a terminal colour code
        "王小明\x7f",  # DEL
        "王小明\x85",  # C1 next-line
        "\u202e明小王",  # right-to-left override
        "王\u2066小明\u2069",  # bidi isolates
        "王小\ud800明",  # a lone surrogate cannot be stored
    ],
)
def test_parse_text__control_or_bidi_character__refused_as_hidden(typed: str) -> None:
    assert refusal(parse_text, typed).key == "error.text.control"
    assert refusal(parse_long_text, f"第一行\n{typed}").key == "error.text.control"


@pytest.mark.parametrize("typed", ["\u200b", "\u200b\u200c\u200d", " \ufeff　\u2060 ", "\u200e\n"])
def test_parse_text__only_invisible_characters__refused_as_empty(typed: str) -> None:
    assert refusal(parse_text, typed).key == "error.text.empty"
    assert refusal(parse_long_text, typed).key == "error.text.empty"


def test_parse_text__zero_width_at_the_ends__trimmed_and_kept_inside() -> None:
    assert parse_text("\u200b王小明\ufeff") == "王小明"
    family = "👨\u200d👩\u200d👧"
    assert parse_text(f"家里 {family}") == f"家里 {family}"


def test_parse_text__decomposed_accents__composed_nfc() -> None:
    assert parse_text("Nu\u0308wa") == "Nüwa"
    assert parse_text("ｗｅｉ，好") == "ｗｅｉ，好"  # full-width kept as typed (NFC, not NFKC)


def test_parse_text__tab_and_line_breaks__collapsed_to_spaces() -> None:
    assert parse_text("王\t小明\r\n") == "王 小明"


@pytest.mark.parametrize(
    ("parse", "typed"),
    [
        (lambda s: parse_date(s, today=TODAY), "2024-03-05\x00"),
        (lambda s: parse_int(s), "3\x07"),
        (lambda s: parse_money(s), "\u202e1200"),
        (lambda s: parse_id_number(s, today=TODAY), make_id() + "\x1b"),
        (lambda s: parse_phone(s), "138\x0012345678"),
        (lambda s: parse_yes_no(s), "是\x08"),
    ],
)
def test_structured_parsers__control_character__refused_as_hidden(
    parse: object, typed: str
) -> None:
    assert refusal(parse, typed).key == "error.text.control"


def test_max_length__defaults_by_field_type__line_200_notes_1000() -> None:
    assert parsers.MAX_LENGTH == {"text": 200, "long_text": 1000}
    assert parse_text("字" * 200) == "字" * 200
    assert refusal(parse_text, "字" * 201).values == {"limit": 200, "length": 201}
    assert len(parse_long_text("字" * 1000)) == 1000
    assert refusal(parse_long_text, "字" * 1001).values == {"limit": 1000, "length": 1001}


def test_parse_int__other_scripts_digits_or_a_huge_number__refused_as_format() -> None:
    assert refusal(parse_int, "٣").key == "error.number.format"  # Arabic-Indic three
    assert refusal(parse_int, "9" * 5000).key == "error.number.format"


def test_parse_id_number__other_scripts_digits__refused() -> None:
    arabic = make_id().translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert refusal(parse_id_number, arabic, today=TODAY).key == "error.id.characters"


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "2024-03-05",
        "2024-3-5",
        "2024/3/5",
        "2024.3.5",
        "2024 3 5",
        "20240305",
        "2024年3月5日",
        "2024年3月5号",
        "2024年03月05日",
        " 2024 年 3 月 5 日。",
        "２０２４年３月５日",
        "２０２４－０３－０５",
    ],
)
def test_parse_date__accepted_shapes__same_day(typed: str) -> None:
    assert parse_date(typed, today=TODAY) == date(2024, 3, 5)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("今天", TODAY),
        ("today", TODAY),
        ("Today", TODAY),
        ("昨天", date(2024, 6, 14)),
        ("yesterday", date(2024, 6, 14)),
        ("前天", date(2024, 6, 13)),
    ],
)
def test_parse_date__relative_words__counted_from_today(typed: str, expected: date) -> None:
    assert parse_date(typed, today=TODAY) == expected


@pytest.mark.parametrize("typed", ["24年3月5日", "3月5日", "2024-3", "202435", "明天见", "", "abc"])
def test_parse_date__unknown_shape__refused_with_example(typed: str) -> None:
    assert refusal(parse_date, typed, today=TODAY).key == "error.date.format"


@pytest.mark.parametrize("typed", ["2023-02-30", "2023年2月29日", "2024-13-01", "20240100"])
def test_parse_date__impossible_day__refused(typed: str) -> None:
    assert refusal(parse_date, typed, today=TODAY).key == "error.date.invalid"


def test_parse_date__feb_29_in_a_leap_year__accepted() -> None:
    assert parse_date("2024年2月29日", today=TODAY) == date(2024, 2, 29)


def test_parse_date__tomorrow__refused_as_future() -> None:
    assert refusal(parse_date, "2024-06-16", today=TODAY).key == "error.date.future"


def test_parse_date__future_allowed__accepted() -> None:
    assert parse_date("2024-07-01", today=TODAY, allow_future=True) == date(2024, 7, 1)


def test_parse_date__before_earliest__refused_with_earliest() -> None:
    error = refusal(parse_date, "2024-01-01", today=TODAY, earliest=date(2024, 3, 1))
    assert (error.key, error.values) == ("error.date.too_early", {"earliest": "2024-03-01"})
    assert parse_date("2024-03-01", today=TODAY, earliest=date(2024, 3, 1)) == date(2024, 3, 1)


def test_parse_date__before_1900__refused_by_default() -> None:
    error = refusal(parse_date, "1899-12-31", today=TODAY)
    assert (error.key, error.values) == ("error.date.too_early", {"earliest": "1900-01-01"})


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3", 3),
        (" 3 ", 3),
        ("３", 3),
        ("3人", 3),
        ("12岁", 12),
        ("12 周岁", 12),
        ("2个", 2),
        ("4次", 4),
        ("5口", 5),
        ("1,200", 1200),
        ("0", 0),
        ("三", 3),
        ("两个", 2),
        ("十", 10),
        ("十二岁", 12),
        ("二十", 20),
        ("九十九", 99),
    ],
)
def test_parse_int__accepted_forms(typed: str, expected: int) -> None:
    assert parse_int(typed) == expected


@pytest.mark.parametrize("typed", ["3.5", "abc", "", "三百", "12,00", "3 4", "约3人"])
def test_parse_int__not_a_whole_number__refused(typed: str) -> None:
    assert refusal(parse_int, typed).key == "error.number.format"


def test_parse_int__below_minimum__refused_with_minimum() -> None:
    error = refusal(parse_int, "-1")
    assert (error.key, error.values) == ("error.number.too_small", {"minimum": 0})
    assert refusal(parse_int, "0", minimum=1).values == {"minimum": 1}


def test_parse_int__above_maximum__refused_with_maximum() -> None:
    error = refusal(parse_int, "19岁", maximum=18)
    assert (error.key, error.values) == ("error.number.too_large", {"maximum": 18})
    assert parse_int("18岁", maximum=18) == 18


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1200", "1200.00"),
        ("1,200", "1200.00"),
        ("1，200", "1200.00"),
        ("1200元", "1200.00"),
        ("1200 元", "1200.00"),
        ("1200块", "1200.00"),
        ("1200块钱", "1200.00"),
        ("1200.5", "1200.50"),
        ("1200.55元", "1200.55"),
        ("￥1200", "1200.00"),
        ("¥1,200.50", "1200.50"),
        ("RMB 300", "300.00"),
        ("１２００元", "1200.00"),
        ("0", "0.00"),
        ("1.5万", "15000.00"),
        ("2万元", "20000.00"),
        ("1200。", "1200.00"),
    ],
)
def test_parse_money__accepted_forms__yuan_to_the_cent(typed: str, expected: str) -> None:
    value = parse_money(typed)
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize("typed", ["-100", "-100元", "￥-100", "－５０"])
def test_parse_money__negative__refused(typed: str) -> None:
    assert refusal(parse_money, typed).key == "error.money.negative"


@pytest.mark.parametrize(
    "typed", ["1200.555", "abc", "", "一千", "12,00", ".5", "1.2.3", "100美元"]
)
def test_parse_money__not_an_amount__refused(typed: str) -> None:
    assert refusal(parse_money, typed).key == "error.money.format"


def test_parse_money__above_maximum__refused_with_maximum() -> None:
    error = refusal(parse_money, "1000000.01")
    assert (error.key, error.values) == ("error.money.too_large", {"maximum": "1000000"})
    assert parse_money("1000000") == Decimal("1000000.00")
    assert refusal(parse_money, "600", maximum=Decimal("500")).values == {"maximum": "500"}


# --- resident ID numbers ----------------------------------------------------------------------


def test_parse_id_number__valid__birth_date_sex_and_region() -> None:
    number = make_id("20150305", "123")
    parsed = parse_id_number(number, today=TODAY)
    assert parsed == ResidentId(number, date(2015, 3, 5), "male", "350102")


def test_parse_id_number__even_17th_digit__female() -> None:
    assert parse_id_number(make_id(sequence="124"), today=TODAY).sex == "female"


def test_parse_id_number__lower_case_x_and_spaces__accepted_upper_case() -> None:
    typed = "110105 19491231 002x"
    assert parse_id_number(typed, today=TODAY).number == "11010519491231002X"


def test_parse_id_number__full_width_digits__accepted() -> None:
    number = make_id()
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert parse_id_number(full_width, today=TODAY).number == number


def test_parse_id_number__17_digits__refused_with_length() -> None:
    error = refusal(parse_id_number, make_id()[:17], today=TODAY)
    assert (error.key, error.values) == ("error.id.length", {"length": 17})


def test_parse_id_number__19_digits_or_old_15_digits__refused_with_length() -> None:
    assert refusal(parse_id_number, "1" + make_id(), today=TODAY).values == {"length": 19}
    assert refusal(parse_id_number, "350102150305123", today=TODAY).values == {"length": 15}


@pytest.mark.parametrize(
    "typed", ["35010220150305A123", "3501022015O3051234", "X50102201503051234"]
)
def test_parse_id_number__letters__refused(typed: str) -> None:
    assert refusal(parse_id_number, typed, today=TODAY).key == "error.id.characters"


def test_parse_id_number__bad_check_digit__refused() -> None:
    number = make_id()
    wrong = "0" if number[-1] != "0" else "1"
    assert refusal(parse_id_number, number[:-1] + wrong, today=TODAY).key == "error.id.checksum"


def test_parse_id_number__two_digits_swapped__refused_by_checksum() -> None:
    number = make_id("20150305", "127")
    swapped = number[:15] + number[16] + number[15] + number[17]
    assert refusal(parse_id_number, swapped, today=TODAY).key == "error.id.checksum"


@pytest.mark.parametrize("birth", ["20150230", "20151301", "20150300", "18991231"])
def test_parse_id_number__impossible_birth_date__refused(birth: str) -> None:
    error = refusal(parse_id_number, make_id(birth), today=TODAY)
    assert error.key == "error.id.birth_date"


def test_parse_id_number__birth_date_in_the_future__refused() -> None:
    assert refusal(parse_id_number, make_id("20240616"), today=TODAY).key == "error.id.future"
    assert parse_id_number(make_id("20240615"), today=TODAY).birth_date == TODAY


def test_parse_id_number__born_on_feb_29__accepted() -> None:
    assert parse_id_number(make_id("20160229"), today=TODAY).birth_date == date(2016, 2, 29)


def test_age_on__before_and_on_birthday() -> None:
    born = date(2010, 6, 15)
    assert age_on(born, date(2024, 6, 14)) == 13
    assert age_on(born, date(2024, 6, 15)) == 14
    assert age_on(born, born) == 0


def test_age_on__feb_29_birthday__counts_on_march_1_in_common_years() -> None:
    born = date(2008, 2, 29)
    assert age_on(born, date(2023, 2, 28)) == 14
    assert age_on(born, date(2023, 3, 1)) == 15
    assert age_on(born, date(2024, 2, 28)) == 15
    assert age_on(born, date(2024, 2, 29)) == 16


# --- phone and yes/no -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["13812345678", "138 1234 5678", "138-1234-5678", "１３８１２３４５６７８", "+8613812345678"],
)
def test_parse_phone__mobile_forms__e164(typed: str) -> None:
    assert parse_phone(typed) == "+8613812345678"


def test_parse_phone__landline_with_area_code__e164() -> None:
    assert parse_phone("0591-87654321") == "+8659187654321"


@pytest.mark.parametrize("typed", ["12345", "1381234567", "电话"])
def test_parse_phone__bad_number__refused(typed: str) -> None:
    error = refusal(parse_phone, typed)
    assert error.key == "error.phone.invalid"
    assert isinstance(error, ValueError)


def test_parse_phone__empty__refused() -> None:
    assert refusal(parse_phone, "  ").key == "error.phone.empty"


@pytest.mark.parametrize("typed", ["是", "是的", "有", "对", "yes", "Y", "YES!", "是。"])
def test_parse_yes_no__yes_words__true(typed: str) -> None:
    assert parse_yes_no(typed) is True


@pytest.mark.parametrize("typed", ["否", "不是", "没有", "无", "no", "N", "不"])
def test_parse_yes_no__no_words__false(typed: str) -> None:
    assert parse_yes_no(typed) is False


@pytest.mark.parametrize("typed", ["也许", "", "不知道", "yesno"])
def test_parse_yes_no__anything_else__refused(typed: str) -> None:
    assert refusal(parse_yes_no, typed).key == "error.yes_no.format"


# --- catalogs ---------------------------------------------------------------------------------

PARSER_KEYS_WITH_VALUES: dict[str, dict[str, object]] = {
    "error.text.empty": {},
    "error.text.too_long": {"limit": 10, "length": 11},
    "error.text.control": {},
    "error.date.format": {},
    "error.date.invalid": {},
    "error.date.future": {},
    "error.date.too_early": {"earliest": "1900-01-01"},
    "error.number.format": {},
    "error.number.too_small": {"minimum": 0},
    "error.number.too_large": {"maximum": 18},
    "error.money.format": {},
    "error.money.negative": {},
    "error.money.too_large": {"maximum": "1000000"},
    "error.id.characters": {},
    "error.id.length": {"length": 17},
    "error.id.checksum": {},
    "error.id.birth_date": {},
    "error.id.future": {},
    "error.yes_no.format": {},
    "error.phone.empty": {},
    "error.phone.invalid": {},
}


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_parser_keys__every_refusal__has_a_text_that_formats(locale: str) -> None:
    catalog = load_catalog(locale)
    for key, values in PARSER_KEYS_WITH_VALUES.items():
        text = catalog[key].format(**values)
        assert "{" not in text, key


def test_parser_keys__list_above__is_every_key_in_the_module() -> None:
    source = Path(parsers.__file__).read_text(encoding="utf-8")
    marked = set(re.findall(r'N_\("([^"]+)"\)', source))
    assert marked | {"error.phone.empty", "error.phone.invalid"} == set(PARSER_KEYS_WITH_VALUES)


# --- properties: whatever is typed, a clean value or a translatable refusal -----------------

HOSTILE = "\ud800\x00\x07\x1b\x7f\x85\x9b\u202e\u202d\u2066\u200b\u200d\ufeff\t\r\n \u3000&<>"
TYPED = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=()),  # every code point, surrogates included
        st.sampled_from(HOSTILE),
        st.sampled_from("0123456789０１２３-/.年月日元万岁是否X"),
    ),
    max_size=60,
)
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
PARSERS = {
    "text": lambda s: parse_text(s, max_length=50),
    "long_text": lambda s: parse_long_text(s, max_length=50),
    "date": lambda s: parse_date(s, today=TODAY),
    "int": parse_int,
    "money": parse_money,
    "id_number": lambda s: parse_id_number(s, today=TODAY),
    "phone": parse_phone,
    "yes_no": parse_yes_no,
}


def _strings_in(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, ResidentId):
        return [value.number, value.region]
    return []


@pytest.mark.parametrize("kind", sorted(PARSERS))
@settings(max_examples=300, deadline=None)
@given(typed=TYPED)
def test_every_parser__any_typed_text__clean_value_or_translatable_refusal(
    kind: str, typed: str
) -> None:
    try:
        value = PARSERS[kind](typed)
    except InvalidAnswer as error:
        assert error.key in PARSER_KEYS_WITH_VALUES
        return
    for text in _strings_in(value):
        assert not FORBIDDEN.search(text)
        assert text.strip(" \n\u200b\u200c\u200d\ufeff") == text and text
        assert unicodedata.normalize("NFC", text) == text
        assert "\t" not in text and "\r" not in text
        assert "\n" not in text or kind == "long_text"
        assert text.isascii() or kind in ("text", "long_text")


@settings(max_examples=300, deadline=None)
@given(typed=TYPED)
def test_parse_long_text__any_typed_text__within_limit_and_no_blank_edges(typed: str) -> None:
    try:
        value = parse_long_text(typed, max_length=50)
    except InvalidAnswer:
        return
    assert len(value) <= 50
    assert all(line == line.strip() for line in value.split("\n"))
