"""The field-type registry: how each type parses text, offers buttons and shows an answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bot.errors import InvalidAnswer
from bot.forms import parsers
from bot.forms.model import Field
from bot.i18n import N_, Translator
from bot.personal import mask_id_number, mask_phone


@dataclass(frozen=True)
class ParseContext:
    """What parsers may need besides the text: today's local date and the earlier answers."""

    today: date
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Button:
    """An inline button: its label text and the engine action it triggers."""

    label: str
    action: str
    arg: str = ""


ADULT_AGE = 18
SKIP = N_("form.button.skip")
SKIPPED = N_("form.value.skipped")
NONE = N_("form.value.none")
YES_NO_LABEL = {True: N_("form.button.yes"), False: N_("form.button.no")}
TextParser = Callable[[str, Field, ParseContext], Any]
Buttons = Callable[[Field, Any, Translator, ParseContext], list[list[Button]]]
Render = Callable[[Field, Any, Translator], str]


def _no_buttons(_f: Field, _v: Any, _t: Translator, _c: ParseContext) -> list[list[Button]]:
    return []


def _plain(_f: Field, value: Any, _t: Translator) -> str:
    return str(value)


ButtonValue = Callable[[Field, str], Any]  # raises InvalidAnswer


def _no_button_value(_f: Field, _arg: str) -> Any:
    raise InvalidAnswer(N_("error.choice.use_buttons"))


@dataclass(frozen=True)
class FieldType:
    """One entry of the registry: everything the engine and the renderer know of a type."""

    name: str
    prompt: str  # catalog key of the question's wording; {label} is filled in
    accepts: str = "text"  # the kind of message that answers it: text, photo, voice, location
    parse: TextParser | None = None
    buttons: Buttons = _no_buttons
    render: Render = _plain
    # What a pressed button's argument means as an answer (raises InvalidAnswer if nothing).
    value_of_button: ButtonValue = _no_button_value
    needs_choices: bool = False  # the field must declare its choices
    # Answered by ticking several buttons and then Done: no Keep button, no current-answer line.
    multi: bool = False
    options: frozenset[str] = frozenset()  # the option keys this type reads from a field


def max_length(f: Field) -> int | None:
    """The longest typed answer a free-text question takes (its own or its type's); None for
    other types."""
    default = parsers.MAX_LENGTH.get(f.type)
    if default is None:
        return None
    return int(f.options.get("max_length", default))


def _choice_rows(f: Field, t: Translator, marks: set[str] | None = None) -> list[list[Button]]:
    per_row = 1 if any(len(t.plain(c.label)) > 8 for c in f.choices) else 2
    action = "toggle" if marks is not None else "choose"
    buttons = [
        Button(("✅ " if marks and c.value in marks else "") + t.plain(c.label), action, str(i))
        for i, c in enumerate(f.choices)
    ]
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def _choice_buttons(f: Field, _v: Any, t: Translator, _c: ParseContext) -> list[list[Button]]:
    return _choice_rows(f, t)


def exclusive_choices(f: Field) -> frozenset[str]:
    """The answers of a multiple choice that stand alone ("none", "nobody home", "healthy"):
    one tap on them is the whole answer, with no Done to press."""
    return frozenset({"none", *f.options.get("exclusive", ())})


def _multi_buttons(f: Field, value: Any, t: Translator, _c: ParseContext) -> list[list[Button]]:
    alone = exclusive_choices(f)
    marks = set(value or [])
    rows = _choice_rows(
        replace(f, choices=tuple(c for c in f.choices if c.value not in alone)), t, marks
    )
    # The stand-alone answers come last, each on a row of its own, and answer at once.
    singles = [
        [Button(t.plain(c.label), "toggle", str(i))]
        for i, c in enumerate(f.choices)
        if c.value in alone
    ]
    return [*_renumbered(rows, f), *singles, [Button(t.plain("form.button.done"), "done")]]


def _renumbered(rows: list[list[Button]], f: Field) -> list[list[Button]]:
    """Point buttons built from a subset of the choices back at the choices' own positions."""
    positions = [i for i, c in enumerate(f.choices) if c.value not in exclusive_choices(f)]
    return [[replace(b, arg=str(positions[int(b.arg)])) for b in row] for row in rows]


def _choice_label(f: Field, value: Any, t: Translator) -> str:
    for choice in f.choices:
        if choice.value == value:
            return t.plain(choice.label)
    return str(value)


def _multi_label(f: Field, value: Any, t: Translator) -> str:
    return "、".join(_choice_label(f, v, t) for v in value or []) or t.plain("form.value.none")


def _press_a_button(_text: str, _f: Field, _c: ParseContext) -> Any:
    raise InvalidAnswer(N_("error.choice.use_buttons"))


def _yes_no_buttons(_f: Field, _v: Any, t: Translator, _c: ParseContext) -> list[list[Button]]:
    return [
        [
            Button(t.plain("form.button.yes"), "choose", "yes"),
            Button(t.plain("form.button.no"), "choose", "no"),
        ]
    ]


def _yes_no_label(_f: Field, value: Any, t: Translator) -> str:
    return t.plain(YES_NO_LABEL[bool(value)])


def _date_buttons(_f: Field, _v: Any, t: Translator, c: ParseContext) -> list[list[Button]]:
    return [
        [
            Button(t.plain("form.button.today"), "choose", c.today.isoformat()),
            Button(
                t.plain("form.button.yesterday"),
                "choose",
                (c.today - timedelta(days=1)).isoformat(),
            ),
        ]
    ]


def _parse_date(text: str, f: Field, c: ParseContext) -> str:
    return parsers.parse_date(
        text, today=c.today, allow_future=bool(f.options.get("allow_future"))
    ).isoformat()


def _parse_id_number(text: str, f: Field, c: ParseContext) -> str:
    resident = parsers.parse_id_number(text, today=c.today)
    # A parent's number must be an adult's: a child's number typed there is a slip.
    if f.options.get("adult") and parsers.age_on(resident.birth_date, c.today) < ADULT_AGE:
        raise InvalidAnswer(N_("error.id.not_adult"), age=ADULT_AGE)
    return resident.number


def _choice_value(f: Field, arg: str) -> Any:
    if arg.isdigit() and int(arg) < len(f.choices):
        return f.choices[int(arg)].value
    raise InvalidAnswer(N_("error.choice.use_buttons"))


def _yes_no_value(_f: Field, arg: str) -> bool:
    if arg not in ("yes", "no"):
        raise InvalidAnswer(N_("error.choice.use_buttons"))
    return arg == "yes"


def _date_value(_f: Field, arg: str) -> str:
    try:
        return date.fromisoformat(arg).isoformat()
    except ValueError:
        raise InvalidAnswer(N_("error.choice.use_buttons")) from None


MEDIA_KINDS = ("photo", "voice", "location")
MEDIA_LABEL = {
    "photo": N_("form.value.photo"),
    "voice": N_("form.value.voice"),
    "location": N_("form.value.location"),
}


def media_kinds(f: Field) -> tuple[str, ...]:
    """Which kinds of message a media question takes (all three unless it says otherwise)."""
    return tuple(f.options.get("kinds", MEDIA_KINDS))


def _media_buttons(_f: Field, value: Any, t: Translator, _c: ParseContext) -> list[list[Button]]:
    return [[Button(t.plain("form.button.done"), "done")]] if value else []


def _media_label(_f: Field, value: Any, t: Translator) -> str:
    return "、".join(t.plain(MEDIA_LABEL[k]) for k in MEDIA_KINDS if k in (value or {}))


def picks_of(f: Field, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The (value, label) pairs a pick-many question offers, from the answers it starts with."""
    return [(str(value), str(label)) for value, label in answers.get(f.options["from"]) or []]


def _pick_buttons(f: Field, value: Any, t: Translator, c: ParseContext) -> list[list[Button]]:
    marks = set(value or [])
    buttons = [
        Button(("✅ " if v in marks else "") + label, "toggle", v)
        for v, label in picks_of(f, c.answers)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    none = Button(t.plain(f.options.get("none_label", NONE)), "toggle", "none")
    return [*rows, [none], [Button(t.plain("form.button.done"), "done")]]


def _pick_value(_f: Field, arg: str) -> str:
    if arg == "none" or arg.isdigit():
        return arg
    raise InvalidAnswer(N_("error.choice.use_buttons"))


def _money_label(_f: Field, value: Any, t: Translator) -> str:
    amount = f"{Decimal(str(value)):.2f}".removesuffix(".00")
    return t.plain("form.value.yuan", amount=amount)


FIELD_TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType(
            "text",
            N_("form.prompt.text"),
            parse=lambda s, f, _c: parsers.parse_text(s, max_length=max_length(f) or 0),
            options=frozenset({"max_length"}),
        ),
        FieldType(
            "long_text",
            N_("form.prompt.long_text"),
            parse=lambda s, f, _c: parsers.parse_long_text(s, max_length=max_length(f) or 0),
            options=frozenset({"max_length"}),
        ),
        FieldType(
            "choice",
            N_("form.prompt.choice"),
            parse=_press_a_button,
            buttons=_choice_buttons,
            render=_choice_label,
            value_of_button=_choice_value,
            needs_choices=True,
        ),
        FieldType(
            "multi_choice",
            N_("form.prompt.multi_choice"),
            parse=_press_a_button,
            buttons=_multi_buttons,
            render=_multi_label,
            value_of_button=_choice_value,
            needs_choices=True,
            multi=True,
            options=frozenset({"exclusive"}),
        ),
        FieldType(
            "yes_no",
            N_("form.prompt.yes_no"),
            parse=lambda s, _f, _c: parsers.parse_yes_no(s),
            buttons=_yes_no_buttons,
            render=_yes_no_label,
            value_of_button=_yes_no_value,
            # Answering No asks the named earlier question again (a confirmation's way back).
            options=frozenset({"redo_on_no"}),
        ),
        FieldType(
            "date",
            N_("form.prompt.date"),
            parse=_parse_date,
            buttons=_date_buttons,
            value_of_button=_date_value,
            options=frozenset({"allow_future"}),
        ),
        FieldType(
            "number",
            N_("form.prompt.number"),
            parse=lambda s, f, _c: parsers.parse_int(
                s, minimum=f.options.get("minimum", 0), maximum=f.options.get("maximum")
            ),
            options=frozenset({"minimum", "maximum"}),
        ),
        FieldType(
            "money",
            N_("form.prompt.money"),
            parse=lambda s, _f, _c: str(parsers.parse_money(s)),
            render=_money_label,
        ),
        FieldType(
            "id_number",
            N_("form.prompt.id_number"),
            parse=_parse_id_number,
            render=lambda _f, v, _t: mask_id_number(v),
            options=frozenset({"adult"}),
        ),
        FieldType(
            "phone",
            N_("form.prompt.phone"),
            parse=lambda s, _f, _c: parsers.parse_phone(s),
            render=lambda _f, v, _t: mask_phone(v),
        ),
        FieldType(
            "photo",
            N_("form.prompt.photo"),
            accepts="photo",
            render=lambda _f, _v, t: t.plain("form.value.photo"),
        ),
        FieldType(
            "voice",
            N_("form.prompt.voice"),
            accepts="voice",
            render=lambda _f, _v, t: t.plain("form.value.voice"),
        ),
        FieldType(
            "location",
            N_("form.prompt.location"),
            accepts="location",
            render=lambda _f, _v, t: t.plain("form.value.location"),
        ),
        # Several of a list the form starts with (a village's children): options["from"] names
        # the context answer holding [value, label] pairs; "none" stands alone.
        FieldType(
            "pick_many",
            N_("form.prompt.multi_choice"),
            parse=_press_a_button,
            buttons=_pick_buttons,
            render=lambda _f, v, t: t.plain("form.value.picked", count=len(v or [])),
            value_of_button=_pick_value,
            multi=True,
            options=frozenset({"from", "none_label"}),
        ),
        # One optional step for whatever the director has: photos, a voice note, a location.
        # Each one sent is kept and the question stays until Done (or Skip, with none sent).
        FieldType(
            "media",
            N_("form.prompt.media"),
            accepts="media",
            buttons=_media_buttons,
            render=_media_label,
            options=frozenset({"kinds"}),
        ),
    )
}


def button_value(f: Field, arg: str) -> Any:
    """Turn a pressed choice button into the answer value, or raise InvalidAnswer."""
    return FIELD_TYPES[f.type].value_of_button(f, arg)


def render_answer(
    f: Field, value: Any, t: Translator, answers: dict[str, Any] | None = None
) -> str:
    """Show an answer for the review summary, personal numbers masked."""
    if value is None:
        return t.plain(f.options.get("skip_label", SKIPPED))
    if f.type == "pick_many" and answers is not None:
        if value == ["none"]:
            return t.plain(f.options.get("none_label", NONE))
        names = dict(picks_of(f, answers))
        return "、".join(names.get(v, v) for v in value)
    return FIELD_TYPES[f.type].render(f, value, t)
