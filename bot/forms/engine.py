"""One engine walks any form: parse, validate, choose the next relevant question, review."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot.errors import InvalidAnswer
from bot.forms.model import Field, Form, Problem
from bot.forms.types import (
    FIELD_TYPES,
    ParseContext,
    button_value,
    exclusive_choices,
    media_kinds,
)
from bot.i18n import N_

REVIEW = "__review__"


@dataclass(frozen=True)
class FormState:
    """Everything a half-finished form needs, JSON-able, saved after every answer."""

    answers: dict[str, Any] = field(default_factory=dict)
    current: str = REVIEW
    history: tuple[str, ...] = ()
    revisit: tuple[str, ...] = ()
    working: tuple[str, ...] = ()  # ticks of a multiple choice before Done
    version: int = 0
    # Telegram re-delivers an update whose processing was cut short by a crash; the last one
    # applied is kept so the same typed answer is never applied to the next question.
    last_update: int = 0
    # A notice an answer set off (the 110/120 reminder of an urgent report): shown again with the
    # question until the next answer, so a reply lost to a crash does not lose it.
    notice: str = ""

    @property
    def in_review(self) -> bool:
        return self.current == REVIEW

    def to_json(self) -> dict[str, Any]:
        return {
            "answers": self.answers,
            "current": self.current,
            "history": list(self.history),
            "revisit": list(self.revisit),
            "working": list(self.working),
            "version": self.version,
            "last_update": self.last_update,
            **({"notice": self.notice} if self.notice else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FormState:
        return cls(
            answers=dict(data.get("answers", {})),
            current=data.get("current", REVIEW),
            history=tuple(data.get("history", ())),
            revisit=tuple(data.get("revisit", ())),
            working=tuple(data.get("working", ())),
            version=int(data.get("version", 0)),
            last_update=int(data.get("last_update", 0)),
            notice=str(data.get("notice", "")),
        )


@dataclass(frozen=True)
class Outcome:
    """The new state, or the reason the answer was refused (the state then is unchanged)."""

    state: FormState
    error: InvalidAnswer | None = None


def relevant_answers(form: Form, answers: dict[str, Any]) -> dict[str, Any]:
    """Drop answers to questions that no longer apply, in form order."""
    kept: dict[str, Any] = {name: answers[name] for name in form.context if name in answers}
    for f in form.fields:
        if f.name in answers and f.applies(kept):
            kept[f.name] = answers[f.name]
    return kept


def _applies(form: Form, name: str, answers: dict[str, Any]) -> bool:
    return form.field(name).applies(relevant_answers(form, answers))


def next_field(
    form: Form, answers: dict[str, Any], revisit: tuple[str, ...] = ()
) -> tuple[str, tuple[str, ...]]:
    """Return the next question (queued revisits first, then the first unanswered) and the queue."""
    queue = list(revisit)
    while queue:
        name = queue.pop(0)
        if _applies(form, name, answers):
            return name, tuple(queue)
    current = relevant_answers(form, answers)
    for f in form.fields:
        if f.name not in current and f.applies(current):
            return f.name, ()
    return REVIEW, ()


def start(form: Form, answers: dict[str, Any] | None = None) -> FormState:
    """Begin a form (optionally pre-filled) at its first unanswered question."""
    answers = dict(answers or {})
    current, _ = next_field(form, answers)
    return FormState(answers=answers, current=current, version=1)


def revisit_section(form: Form, state: FormState, section_name: str) -> FormState:
    """Walk one section again from the review, each question showing its current answer."""
    names = tuple(f.name for s in form.sections if s.name == section_name for f in s.fields)
    current, queue = next_field(form, state.answers, names)
    return _advanced(state, current=current, revisit=queue, history=(*state.history, REVIEW))


def _advanced(state: FormState, **changes: Any) -> FormState:
    changes.setdefault("working", ())
    return replace(state, version=state.version + 1, **changes)


def _validate(f: Field, value: Any, state: FormState) -> None:
    if f.validator is not None:
        f.validator(value, state.answers)


def accept(form: Form, state: FormState, value: Any) -> Outcome:
    """Store a parsed value for the current question and move on."""
    f = form.field(state.current)
    try:
        _validate(f, value, state)
    except InvalidAnswer as error:
        return Outcome(state, error)
    redo = f.options.get("redo_on_no")
    if redo and value is False:
        answers = {k: v for k, v in state.answers.items() if k not in (redo, f.name)}
        return Outcome(_advanced(state, answers=answers, current=redo))
    answers = {**state.answers, f.name: value}
    current, queue = next_field(form, answers, state.revisit)
    return Outcome(
        _advanced(
            state, answers=answers, current=current, revisit=queue, history=(*state.history, f.name)
        )
    )


def answer_text(form: Form, state: FormState, text: str, context: ParseContext) -> Outcome:
    """Parse typed text for the current question."""
    if state.in_review:
        return Outcome(state, InvalidAnswer(N_("error.form.use_review_buttons")))
    f = form.field(state.current)
    field_type = FIELD_TYPES[f.type]
    if field_type.accepts != "text" or field_type.parse is None:
        return Outcome(state, InvalidAnswer(N_("error.form.expects_media")))
    try:
        value = field_type.parse(text, f, replace(context, answers=state.answers))
    except InvalidAnswer as error:
        return Outcome(state, error)
    return accept(form, state, value)


def answer_media(form: Form, state: FormState, kind: str, value: Any) -> Outcome:
    """Accept a photo, voice note or location where the current question asks for one.

    A media question (one step for all three) keeps each one sent and stays until Done.
    """
    if state.in_review:
        return Outcome(state, InvalidAnswer(N_("error.form.unexpected_media")))
    f = form.field(state.current)
    accepts = FIELD_TYPES[f.type].accepts
    if accepts == "media" and kind in media_kinds(f):
        collected = {**(state.answers.get(f.name) or {}), kind: value}
        return Outcome(
            replace(state, answers={**state.answers, f.name: collected}, version=state.version + 1)
        )
    if accepts != kind:
        return Outcome(state, InvalidAnswer(N_("error.form.unexpected_media")))
    return accept(form, state, value)


def press(form: Form, state: FormState, action: str, arg: str) -> Outcome:
    """Apply a button press: choose, toggle, done, skip, keep or back."""
    if action == "back":
        return Outcome(back(form, state))
    if state.in_review:
        return Outcome(state, InvalidAnswer(N_("error.form.use_review_buttons")))
    f = form.field(state.current)
    try:
        if action == "choose":
            return accept(form, state, button_value(f, arg))
        if action == "toggle" and FIELD_TYPES[f.type].multi:
            value = button_value(f, arg)
            if value in exclusive_choices(f):
                # "None" (or "nobody home") is the whole answer: one tap, no Done.
                return accept(form, state, [value])
            exclusive = exclusive_choices(f)
            # Another tick lets go of a "none" kept from the stored answer (an edit).
            ticks = [
                v for v in (state.working or state.answers.get(f.name) or []) if v not in exclusive
            ]
            ticks = [v for v in ticks if v != value] if value in ticks else [*ticks, value]
            order = [c.value for c in f.choices]
            if order:
                ticks.sort(key=order.index)
            return Outcome(replace(state, working=tuple(ticks), version=state.version + 1))
        if action == "done" and FIELD_TYPES[f.type].accepts == "media":
            if not state.answers.get(f.name):
                raise InvalidAnswer(N_("error.form.expects_media"))
            return accept(form, state, state.answers[f.name])
        if action == "done" and FIELD_TYPES[f.type].multi:
            ticks = list(state.working or state.answers.get(f.name) or [])
            if not ticks and f.required:
                raise InvalidAnswer(N_("error.choice.pick_one"))
            return accept(form, state, ticks)
        if action == "skip":
            if f.required:
                raise InvalidAnswer(N_("error.form.required"))
            return accept(form, state, None)
        if action == "keep":
            if f.name not in state.answers:
                raise InvalidAnswer(N_("error.form.required"))
            return accept(form, state, state.answers[f.name])
    except InvalidAnswer as error:
        return Outcome(state, error)
    return Outcome(state, InvalidAnswer(N_("error.choice.use_buttons")))


def back(form: Form, state: FormState) -> FormState:
    """Return to the previous question (or to the review the section edit started from)."""
    history = list(state.history)
    while history:
        previous = history.pop()
        if previous == REVIEW:
            return _advanced(state, current=REVIEW, history=tuple(history), revisit=())
        if _applies(form, previous, state.answers):
            return _advanced(
                state,
                current=previous,
                history=tuple(history),
                revisit=(state.current, *state.revisit) if not state.in_review else (),
            )
    return state


def problems(form: Form, state: FormState, context: Any) -> list[Problem]:
    """List what stops the answers being saved: missing required answers, then rule checks."""
    answers = relevant_answers(form, state.answers)
    missing = [
        f.name
        for f in form.fields
        if f.applies(answers) and f.required and answers.get(f.name) in (None, "", [])
    ]
    if missing:
        return [Problem(N_("error.form.missing"), tuple(missing))]
    found: list[Problem] = []
    for check in form.checks:
        found.extend(check(answers, context))
    return found


def jump_to(form: Form, state: FormState, name: str) -> FormState:
    """Ask one question again from the review (a section button or a failed rule)."""
    form.field(name)
    return _advanced(state, current=name, revisit=(), history=(*state.history, REVIEW))
