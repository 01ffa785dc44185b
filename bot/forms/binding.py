"""Answers ↔ columns, read from the fields' `bind` declarations (XLSForm's bind, one place)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from bot.forms.conditions import Answers
from bot.forms.model import Field, Form


def bound_fields(form: Form, table: str, section: str = "") -> tuple[Field, ...]:
    """The form's fields stored in a table's columns (optionally those of one section)."""
    return tuple(
        f
        for f in form.fields
        if f.bind and f.table == table and (not section or f.section == section)
    )


def column_values(fields: tuple[Field, ...], answers: Answers) -> dict[str, Any]:
    """The column values the answers stand for, each converted as its field declares."""
    values = {}
    for f in fields:
        answer = answers.get(f.name)
        values[f.column] = f.to_column(answer, answers) if f.to_column else answer
    return values


def answers_from(fields: tuple[Field, ...], record: object) -> dict[str, Any]:
    """The answers a stored record stands for, for editing it through the same form."""
    answers: dict[str, Any] = {}
    for f in fields:
        stored = getattr(record, f.column)
        answers.update(f.from_column(stored, f.name) if f.from_column else {f.name: stored})
    return answers


# Conversions several fields share.


def joined(answer: Any, _answers: Answers) -> str:
    """A multiple choice stored as its values joined by commas."""
    return ",".join(answer or [])


def joined_or_none(answer: Any, _answers: Answers) -> str | None:
    """A multiple choice that may not apply, stored as NULL when it was not asked."""
    return ",".join(answer) if answer else None


def split(stored: Any, name: str) -> dict[str, Any]:
    """A multiple choice stored joined by commas; nothing stored (NULL), no answer."""
    if stored is None:
        return {}
    return {name: [v for v in stored.split(",") if v]}


def to_date(answer: Any, _answers: Answers) -> date | None:
    return date.fromisoformat(answer) if answer else None


def from_date(stored: Any, name: str) -> dict[str, Any]:
    return {name: stored.isoformat() if stored else None}


def to_bool(answer: Any, _answers: Answers) -> bool:
    """A question that may not have been asked, stored as No."""
    return bool(answer)


def to_decimal(answer: Any, _answers: Answers) -> Decimal | None:
    return Decimal(answer) if answer is not None else None


def from_decimal(stored: Any, name: str) -> dict[str, Any]:
    """A stored amount as the text the money type answers with; none stored, "unknown"."""
    return {name: str(stored) if stored is not None else None}
