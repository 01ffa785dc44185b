"""Pure text parsers for the form field types: forgiving of format, strict on meaning.

Every parser takes the typed text (and `today` where the answer depends on it) and returns a
value, or raises `InvalidAnswer` whose key is a catalog message saying what to type instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from bot.errors import InvalidAnswer
from bot.i18n import N_
from bot.personal import parse_cn_phone

EARLIEST_DATE = date(1900, 1, 1)
CENT = Decimal("0.01")

# The longest typed answer each free-text field type takes unless its field says otherwise: a
# line (an address, a school) or several lines (notes, problems found, measures taken). Names
# declare 50 (the child's name column). Kept well under one Telegram message (4,096) so a review
# that quotes an answer, escaped as HTML, still splits cleanly. Shown in the question's hint.
MAX_LENGTH: dict[str, int] = {"text": 200, "long_text": 1000}

_TRAILING_PUNCTUATION = "。.!?~ "
_SEP = r" ?[-/. ] ?"

# Never part of an answer: C0 and C1 controls (a NUL stops PostgreSQL, BEL and ESC ring and
# repaint terminals) except tab and the line breaks a phone types, bidi embeddings, overrides and
# isolates (they reverse how a name reads elsewhere), and lone surrogates (cannot be stored).
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
# Invisible on screen: trimmed from the ends of an answer, so an answer of only these is empty.
_ZERO_WIDTH = "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
# Nothing the structured parsers accept is longer; a longer text is refused before parsing.
_STRUCTURED_MAX = 100


def refuse_hidden(text: str) -> str:
    """Return the text, or refuse it when it holds a control, bidi or surrogate character."""
    if _HIDDEN.search(text):
        raise InvalidAnswer(N_("error.text.control"))
    return text


def normalise(text: str) -> str:
    """NFKC-normalise (full-width → half-width), strip and collapse inner whitespace."""
    return " ".join(unicodedata.normalize("NFKC", refuse_hidden(text)).split())


def _clean(text: str) -> str:
    """Normalise, lower-case and drop a closing full stop or exclamation mark."""
    return normalise(text).replace("−", "-").rstrip(_TRAILING_PUNCTUATION).lower()


def _short(text: str, format_key: str) -> str:
    """Return the text, or refuse it with `format_key` when no such answer is that long."""
    if len(text) > _STRUCTURED_MAX:
        raise InvalidAnswer(format_key)
    return text


# --- text -------------------------------------------------------------------------------------


def _check_length(value: str, max_length: int) -> str:
    if not value:
        raise InvalidAnswer(N_("error.text.empty"))
    if len(value) > max_length:
        raise InvalidAnswer(N_("error.text.too_long"), limit=max_length, length=len(value))
    return value


def tidy(text: str) -> str:
    """NFC-normalise, refuse hidden characters, collapse whitespace and trim invisible ends.

    NFC, not NFKC: what was typed stays (Chinese full-width punctuation too).
    """
    collapsed = " ".join(unicodedata.normalize("NFC", refuse_hidden(text)).split())
    return collapsed.strip(" " + _ZERO_WIDTH)


def parse_text(text: str, *, max_length: int = MAX_LENGTH["text"]) -> str:
    """One line of text, e.g. a name or an address."""
    return _check_length(tidy(text), max_length)


def parse_long_text(text: str, *, max_length: int = MAX_LENGTH["long_text"]) -> str:
    """Several lines of text: each line normalised, runs of blank lines kept as one."""
    kept: list[str] = []
    for line in (tidy(line) for line in refuse_hidden(text).splitlines()):
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return _check_length("\n".join(kept), max_length)


# --- dates ------------------------------------------------------------------------------------

_DAYS_AGO = {
    "今天": 0,
    "今日": 0,
    "today": 0,
    "昨天": 1,
    "昨日": 1,
    "yesterday": 1,
    "前天": 2,
}
# re.ASCII throughout: \d is 0-9 only (NFKC already turned full-width digits into these).
_DATE_SHAPES = (
    re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})", re.ASCII),
    re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII),
    re.compile(r"(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?[日号]?", re.ASCII),
)


def _match(shapes: tuple[re.Pattern[str], ...], text: str) -> tuple[int, ...] | None:
    for shape in shapes:
        found = shape.fullmatch(text)
        if found:
            return tuple(int(part) for part in found.groups())
    return None


def _full_date(text: str) -> date | None:
    """A full year-month-day date, None when the text has another shape."""
    parts = _match(_DATE_SHAPES, text)
    if parts is None:
        return None
    year, month, day = parts
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidAnswer(N_("error.date.invalid")) from None


def parse_date(
    text: str, *, today: date, earliest: date | None = None, allow_future: bool = False
) -> date:
    """A day: 2024-03-05, 2024/3/5, 2024.3.5, 20240305, 2024年3月5日/号, 今天, 昨天, 前天."""
    cleaned = _short(_clean(text), N_("error.date.format"))
    if cleaned in _DAYS_AGO:
        value = today - timedelta(days=_DAYS_AGO[cleaned])
    else:
        parsed = _full_date(cleaned)
        if parsed is None:
            raise InvalidAnswer(N_("error.date.format"))
        value = parsed
    if value > today and not allow_future:
        raise InvalidAnswer(N_("error.date.future"))
    limit = earliest or EARLIEST_DATE
    if value < limit:
        raise InvalidAnswer(N_("error.date.too_early"), earliest=limit.isoformat())
    return value


# --- numbers ----------------------------------------------------------------------------------

_INT_UNIT = re.compile(r" ?(?:周岁|个月|月|人|岁|个|次|口|名|天)$")
_INT_SHAPE = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d{1,18})", re.ASCII)
_CHINESE_DIGITS = dict(
    zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True)
)
_CHINESE_TENS = re.compile(r"([二两三四五六七八九]?)十([一二三四五六七八九]?)")


def _chinese_small_int(text: str) -> int | None:
    """零 to 九十九 written in Chinese characters (三, 十二, 二十), else None."""
    if len(text) == 1 and text in _CHINESE_DIGITS:
        return _CHINESE_DIGITS[text]
    found = _CHINESE_TENS.fullmatch(text)
    if not found:
        return None
    tens = _CHINESE_DIGITS[found[1]] if found[1] else 1
    return tens * 10 + (_CHINESE_DIGITS[found[2]] if found[2] else 0)


def parse_int(text: str, *, minimum: int | None = 0, maximum: int | None = None) -> int:
    """A whole number, with an optional unit: 3, 3人, 12岁, 1,200, 三个, 十二岁."""
    cleaned = _INT_UNIT.sub("", _short(_clean(text), N_("error.number.format")))
    chinese = _chinese_small_int(cleaned)
    if chinese is not None:
        value = chinese
    elif _INT_SHAPE.fullmatch(cleaned):
        value = int(cleaned.replace(",", ""))
    else:
        raise InvalidAnswer(N_("error.number.format"))
    if minimum is not None and value < minimum:
        raise InvalidAnswer(N_("error.number.too_small"), minimum=minimum)
    if maximum is not None and value > maximum:
        raise InvalidAnswer(N_("error.number.too_large"), maximum=maximum)
    return value


_MONEY_SHAPE = re.compile(
    r"(?P<minus>-)?(?:¥|rmb|人民币)?(?P<minus_after>-)?"
    r"(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?"
    r"(?P<wan>万)?(?:元|块钱|块|圆)?整?",
    re.ASCII,
)


def parse_money(text: str, *, maximum: Decimal = Decimal("1000000")) -> Decimal:
    """Yuan with up to 2 decimals: 1200, 1,200, 1200.5, ¥1200, 1200元, 1200块, 1.5万."""
    cleaned = _short(_clean(text), N_("error.money.format")).replace(" ", "")
    found = _MONEY_SHAPE.fullmatch(cleaned)
    if not found:
        raise InvalidAnswer(N_("error.money.format"))
    if found["minus"] or found["minus_after"]:
        raise InvalidAnswer(N_("error.money.negative"))
    fraction = found["fraction"] or ""
    if len(fraction) - 1 > (6 if found["wan"] else 2):
        raise InvalidAnswer(N_("error.money.format"))
    value = Decimal(found["whole"].replace(",", "") + fraction)
    if found["wan"]:
        value *= 10000
    if value > maximum:
        raise InvalidAnswer(N_("error.money.too_large"), maximum=f"{maximum:f}")
    return value.quantize(CENT)


# --- resident ID numbers ----------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentId:
    """A checked 18-character resident ID number (GB 11643) and what it says."""

    number: str
    birth_date: date
    sex: Literal["male", "female"]
    region: str


def parse_id_number(text: str, *, today: date) -> ResidentId:
    """An 18-character resident ID number; spaces ignored, a lower-case x accepted."""
    number = re.sub(r"[\s-]", "", _short(normalise(text), N_("error.id.characters"))).upper()
    if not re.fullmatch(r"[0-9]*X?", number):
        raise InvalidAnswer(N_("error.id.characters"))
    if len(number) != 18:
        raise InvalidAnswer(N_("error.id.length"), length=len(number))
    if ric.calc_check_digit(number) != number[-1]:
        raise InvalidAnswer(N_("error.id.checksum"))
    try:
        birth_date = ric.get_birth_date(number)
    except ValidationError:
        raise InvalidAnswer(N_("error.id.birth_date")) from None
    if birth_date < EARLIEST_DATE:
        raise InvalidAnswer(N_("error.id.birth_date"))
    if birth_date > today:
        raise InvalidAnswer(N_("error.id.future"))
    sex: Literal["male", "female"] = "male" if int(number[16]) % 2 else "female"
    return ResidentId(number=number, birth_date=birth_date, sex=sex, region=number[:6])


def age_on(birth_date: date, day: date) -> int:
    """Whole years of age on `day`; a 29 February birthday counts on 1 March in other years."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


# --- phone and yes/no -------------------------------------------------------------------------


def parse_phone(text: str) -> str:
    """A Chinese mobile or landline number in E.164 form (see `bot.personal.parse_cn_phone`)."""
    try:
        return parse_cn_phone(_short(normalise(text), N_("error.phone.invalid")))
    except ValueError as error:
        raise InvalidAnswer(str(error.args[0])) from None


_YES = frozenset({"是", "是的", "是啊", "对", "对的", "有", "有的", "yes", "y"})
_NO = frozenset({"否", "不", "不是", "不对", "没", "没有", "无", "no", "n"})


def parse_yes_no(text: str) -> bool:
    """A typed yes or no: 是/有/对/yes/y or 否/不是/没有/无/no/n."""
    cleaned = _clean(text).replace(" ", "")
    if cleaned in _YES:
        return True
    if cleaned in _NO:
        return False
    raise InvalidAnswer(N_("error.yes_no.format"))
