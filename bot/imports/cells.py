"""One cell of the ledger → the answer the chat intake would have stored, by the field's type.

Typed answers go through the field type's own parser (bot/forms/types.py), exactly as if the
director had typed the cell's text; a choice is read by its zh_Hans label (or a unique start of
it), a multiple choice by labels separated by 、，,;/ and, where the form asks an amount for a
ticked kind, an amount after its label ("低保300元").
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from bot.errors import InvalidAnswer
from bot.forms.intake import INTAKE
from bot.forms.model import Field
from bot.forms.parsers import parse_money
from bot.forms.types import FIELD_TYPES, ParseContext
from bot.i18n import N_, Translator

EXCEL_EPOCH = date(1899, 12, 30)
_SEPARATORS = re.compile(r"[、，,;；/|\n]+")
_LABEL_NOISE = str.maketrans({"（": "(", "）": ")"})
SEEN_LIMIT = 10_000  # distinct (field, cell) pairs remembered; a ledger has a few dozen
# A multiple choice whose ticked kinds each have an amount question `<prefix>_<kind>` (money).
AMOUNTS = {"assistance": "aid", "family_subsidies": "subsidy"}


def cell_text(value: object) -> str:
    """A cell as the text a director would have typed: numbers without ".0", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).translate(_LABEL_NOISE).split())


class Choices:
    """The zh_Hans labels of each choice field, to read a cell's words as choice values."""

    def __init__(self, zh: Translator) -> None:
        self.labels: dict[str, list[tuple[str, str]]] = {
            f.name: [(_key(zh.plain(c.label)), c.value) for c in f.choices]
            for f in INTAKE.fields
            if f.choices
        }
        self.seen: dict[tuple[str, str], str | None] = {}

    def value(self, f: Field, text: str) -> str | None:
        """The choice a text names: its label, a unique start of it, or the value itself."""
        # A ledger repeats a handful of words (汉族, 农村户, 健康) in every row: read each once.
        if (f.name, text) in self.seen:
            return self.seen[(f.name, text)]
        found = self._value(f, text)
        if len(self.seen) < SEEN_LIMIT:
            self.seen[(f.name, text)] = found
        return found

    def _value(self, f: Field, text: str) -> str | None:
        key = _key(text)
        options = self.labels[f.name]
        for label, value in options:
            if key in (label, value):
                return value
        starting = [value for label, value in options if label.startswith(key)]
        if key and len(starting) == 1:
            return starting[0]
        return None

    def leading(self, f: Field, text: str) -> tuple[str, str] | None:
        """The choice a text starts with (the longest label) and what follows it."""
        key = _key(text)
        found = [(label, value) for label, value in self.labels[f.name] if key.startswith(label)]
        if not found:
            return None
        label, value = max(found, key=lambda item: len(item[0]))
        return value, key[len(label) :]


_MIDNIGHT = re.compile(r"(\S+)\s+0?0:00(?::00)?")


def _date_text(value: object) -> object:
    """An Excel serial day number typed into a text cell (45356) is a date as Excel shows it;
    a date exported with its midnight time (2024-03-01 00:00:00) is that day."""
    if isinstance(value, str) and (midnight := _MIDNIGHT.fullmatch(value.strip())):
        return midnight[1]
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value < 100000:
        return (EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
    return value


def _choice_error(f: Field, zh: Translator) -> InvalidAnswer:
    allowed = "、".join(zh.plain(c.label) for c in f.choices)
    return InvalidAnswer(N_("import.error.choice"), choices=allowed)


def read_cell(
    f: Field, value: object, choices: Choices, zh: Translator, context: ParseContext
) -> dict[str, Any]:
    """The answers one cell gives (empty when the cell is); raises InvalidAnswer."""
    if f.type == "date":
        value = _date_text(value)
    if f.type == "id_number" and isinstance(value, float):
        # Excel keeps 15 significant digits: an ID typed into a number cell lost its last ones.
        raise InvalidAnswer(N_("import.error.id_as_number"))
    text = cell_text(value)
    if not text:
        return {}
    if f.type == "choice":
        chosen = choices.value(f, text)
        if chosen is None:
            # A choice with Other and a field naming it takes any other word (民族: 苗族).
            other = f"{f.name}_other"
            parse = FIELD_TYPES["text"].parse
            if any(c.value == "other" for c in f.choices) and _has_field(other) and parse:
                return {f.name: "other", other: parse(text, INTAKE.field(other), context)}
            raise _choice_error(f, zh)
        return {f.name: chosen}
    if f.type == "multi_choice":
        return _read_multi(f, text, choices, zh)
    field_type = FIELD_TYPES[f.type]
    if field_type.parse is None:
        return {}
    return {f.name: field_type.parse(text, f, context)}


def _has_field(name: str) -> bool:
    try:
        INTAKE.field(name)
    except KeyError:
        return False
    return True


def _read_multi(f: Field, text: str, choices: Choices, zh: Translator) -> dict[str, Any]:
    ticked: list[str] = []
    answers: dict[str, Any] = {}
    prefix = AMOUNTS.get(f.name)
    for part in (p for p in _SEPARATORS.split(text) if p.strip()):
        chosen = choices.value(f, part)
        rest = ""
        if chosen is None and prefix:
            found = choices.leading(f, part)
            if found is not None:
                chosen, rest = found
        if chosen is None:
            raise _choice_error(f, zh)
        if chosen not in ticked:
            ticked.append(chosen)
        if rest and prefix:
            amount = rest.removeprefix(":").removesuffix("/月").removesuffix("每月")
            answers[f"{prefix}_{chosen}"] = str(parse_money(amount))
    order = [c.value for c in f.choices]
    ticked.sort(key=order.index)
    return {f.name: ticked, **answers}
