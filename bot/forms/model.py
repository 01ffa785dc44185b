"""A form is data: an ordered table of fields in sections, in the spirit of an XLSForm sheet."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.forms.conditions import ALWAYS, Answers, Condition

Validator = Callable[[Any, Answers], None]  # raises InvalidAnswer
LabelValues = Callable[[Answers, Any], Mapping[str, object]]  # (answers, translator)
ToColumn = Callable[[Any, Answers], Any]  # (the field's answer, all answers) → stored value
FromColumn = Callable[[Any, str], Mapping[str, Any]]  # (stored value, field name) → answers


@dataclass(frozen=True)
class Choice:
    value: str
    label: str  # catalog key


@dataclass(frozen=True)
class Field:
    """One question: its answer's name and type, its label key, and when it applies."""

    name: str
    type: str
    label: str
    required: bool = True
    relevant: Condition = ALWAYS
    validator: Validator | None = None
    choices: tuple[Choice, ...] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    label_values: LabelValues | None = None
    section: str = ""
    # The column the answer is stored in, as "table.column" (XLSForm's bind), and the
    # conversions where the stored value is not the answer itself.
    bind: str = ""
    to_column: ToColumn | None = None
    from_column: FromColumn | None = None

    @property
    def table(self) -> str:
        return self.bind.partition(".")[0]

    @property
    def column(self) -> str:
        return self.bind.partition(".")[2]

    def applies(self, answers: Answers) -> bool:
        return self.relevant(answers)


@dataclass(frozen=True)
class Section:
    name: str
    label: str  # catalog key
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Problem:
    """A rule the answers break, with the fields the user may change to fix it."""

    key: str
    fields: tuple[str, ...]
    values: Mapping[str, object] = field(default_factory=dict)
    warning: bool = False  # the user may confirm and save anyway
    # A form action the problem offers as a button of its own (catalog key of its label).
    action: str = ""
    action_label: str = ""


Check = Callable[[Answers, Any], Sequence[Problem]]


class FormDefinitionError(Exception):
    """A form declaration that cannot work: duplicate names, unknown references or types."""


@dataclass(frozen=True)
class Form:
    """An ordered list of sections; the engine walks their fields in order."""

    name: str
    title: str  # catalog key
    sections: tuple[Section, ...]
    checks: tuple[Check, ...] = ()
    # Answers the form starts with and never asks (the child's tier, today's date), which
    # predicates may read.
    context: tuple[str, ...] = ()
    # An edit starts at the review of the stored answers instead of the first question.
    edits_record: bool = False
    # A one-question form (a note, a reply): instead of the sectioned review it shows what will
    # be saved and asks once (Save, Change, Cancel).
    brief_review: bool = False
    saved: str = "form.saved"  # catalog key of the message once saved; {name} is filled in

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for s in self.sections for f in s.fields)

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def index(self, name: str) -> int:
        return [f.name for f in self.fields].index(name)

    def section_of(self, name: str) -> Section:
        for section in self.sections:
            if any(f.name == name for f in section.fields):
                return section
        raise KeyError(name)


def section(name: str, label: str, *fields: Field) -> Section:
    """Declare a section; its fields learn which section they belong to."""
    return Section(
        name=name,
        label=label,
        fields=tuple(Field(**{**f.__dict__, "section": name}) for f in fields),
    )


class KnownType(Protocol):
    """What declaration checks need to know of a field type."""

    @property
    def needs_choices(self) -> bool: ...

    @property
    def options(self) -> frozenset[str]: ...


# Options any field may carry, whatever its type: the review leaves the answer out; an optional
# question's Skip button says what skipping means ("no ID number", "open-ended", "unknown").
COMMON_OPTIONS = frozenset({"hide_in_review", "skip_label"})


def check_form(form: Form, known_types: Mapping[str, KnownType]) -> None:
    """Refuse duplicate names, unknown types or options, and predicates naming unknown fields."""
    seen: set[str] = set(form.context)
    problems: list[str] = []
    for section_ in form.sections:
        if section_.name in {s.name for s in form.sections if s is not section_}:
            problems.append(f"duplicate section {section_.name}")
    for f in form.fields:
        if f.name in seen:
            problems.append(f"duplicate field {f.name}")
        unknown = f.relevant.fields - seen
        if unknown:
            problems.append(
                f"field {f.name} depends on {', '.join(sorted(unknown))}, "
                "which is not an earlier field"
            )
        if f.bind and not (f.table and f.column):
            problems.append(f"field {f.name} binds {f.bind!r}, not table.column")
        seen.add(f.name)
        field_type = known_types.get(f.type)
        if field_type is None:
            problems.append(f"field {f.name} has unknown type {f.type}")
            continue
        if field_type.needs_choices and not f.choices:
            problems.append(f"field {f.name} has no choices")
        unread = set(f.options) - field_type.options - COMMON_OPTIONS
        if unread:
            problems.append(
                f"field {f.name} has option {', '.join(sorted(unread))}, "
                f"which type {f.type} does not read"
            )
    if problems:
        raise FormDefinitionError(f"form {form.name}: " + "; ".join(problems))
