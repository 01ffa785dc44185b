"""The form engine on small forms: order, relevance, back, skip, keep, toggles, review."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import InvalidAnswer
from bot.forms import engine
from bot.forms.conditions import equals, includes
from bot.forms.intake import INTAKE
from bot.forms.model import Choice, Field, Form, FormDefinitionError, check_form, section
from bot.forms.types import FIELD_TYPES, ParseContext

TODAY = date(2026, 11, 2)
CTX = ParseContext(today=TODAY)
PETS = Form(
    name="pets",
    title="t",
    sections=(
        section(
            "main",
            "s",
            Field("name", "text", "l.name"),
            Field("kind", "choice", "l.kind", choices=(Choice("cat", "c"), Choice("dog", "d"))),
            Field("barks", "yes_no", "l.barks", relevant=equals("kind", "dog")),
            Field(
                "toys",
                "multi_choice",
                "l.toys",
                choices=(Choice("ball", "b"), Choice("rope", "r"), Choice("none", "n")),
            ),
            Field("ball_cost", "money", "l.cost", relevant=includes("toys", "ball")),
            Field("note", "text", "l.note", required=False),
        ),
    ),
)


def test_check_form__intake__is_well_formed() -> None:
    check_form(INTAKE, FIELD_TYPES)


def test_check_form__duplicate_name__refused() -> None:
    form = Form("x", "t", (section("s", "s", Field("a", "text", "l"), Field("a", "text", "l")),))
    with pytest.raises(FormDefinitionError, match="duplicate field a"):
        check_form(form, FIELD_TYPES)


def test_check_form__predicate_names_unknown_field__refused() -> None:
    form = Form(
        "x", "t", (section("s", "s", Field("a", "text", "l", relevant=equals("ghost", 1))),)
    )
    with pytest.raises(FormDefinitionError, match="depends on ghost"):
        check_form(form, FIELD_TYPES)


def test_check_form__predicate_names_later_field__refused() -> None:
    form = Form(
        "x",
        "t",
        (
            section(
                "s", "s", Field("a", "text", "l", relevant=equals("b", 1)), Field("b", "text", "l")
            ),
        ),
    )
    with pytest.raises(FormDefinitionError, match="depends on b"):
        check_form(form, FIELD_TYPES)


def test_check_form__unknown_type__refused() -> None:
    form = Form("x", "t", (section("s", "s", Field("a", "colour", "l")),))
    with pytest.raises(FormDefinitionError, match="unknown type colour"):
        check_form(form, FIELD_TYPES)


def _walk(state: engine.FormState, *steps: tuple[str, str]) -> engine.FormState:
    for kind, value in steps:
        if kind == "text":
            outcome = engine.answer_text(PETS, state, value, CTX)
        else:
            action, _, arg = value.partition(":")
            outcome = engine.press(PETS, state, action, arg)
        assert outcome.error is None, outcome.error.key
        state = outcome.state
    return state


def test_engine__cat_path__skips_dog_question_and_reaches_review() -> None:
    state = _walk(
        engine.start(PETS),
        ("text", "Mimi"),
        ("press", "choose:0"),
        ("press", "toggle:1"),
        ("press", "done:"),
        ("press", "skip:"),
    )
    assert state.in_review
    assert state.answers == {"name": "Mimi", "kind": "cat", "toys": ["rope"], "note": None}


def test_engine__dog_with_ball__asks_follow_ups() -> None:
    state = _walk(engine.start(PETS), ("text", "Rex"), ("press", "choose:1"))
    assert state.current == "barks"
    state = _walk(state, ("press", "choose:yes"), ("press", "toggle:0"), ("press", "done:"))
    assert state.current == "ball_cost"


def test_engine__bad_text__refused_and_state_unchanged() -> None:
    state = _walk(
        engine.start(PETS),
        ("text", "Rex"),
        ("press", "choose:1"),
        ("press", "choose:no"),
        ("press", "toggle:0"),
        ("press", "done:"),
    )
    outcome = engine.answer_text(PETS, state, "-5", CTX)
    assert isinstance(outcome.error, InvalidAnswer)
    assert outcome.error.key == "error.money.negative"
    assert outcome.state == state


def test_engine__back__returns_to_previous_and_then_forward_again() -> None:
    state = _walk(engine.start(PETS), ("text", "Rex"), ("press", "choose:1"))
    state = _walk(state, ("press", "back:"))
    assert state.current == "kind"
    state = _walk(state, ("press", "choose:0"))
    assert state.current == "toys"  # barks no longer applies
    assert "barks" not in engine.relevant_answers(PETS, state.answers)


def test_engine__required_field__cannot_be_skipped() -> None:
    outcome = engine.press(PETS, engine.start(PETS), "skip", "")
    assert outcome.error is not None and outcome.error.key == "error.form.required"


def test_engine__multi_choice_done_without_ticks__refused() -> None:
    state = _walk(engine.start(PETS), ("text", "Rex"), ("press", "choose:0"))
    outcome = engine.press(PETS, state, "done", "")
    assert outcome.error is not None and outcome.error.key == "error.choice.pick_one"


def test_engine__forged_choice_index__refused() -> None:
    state = _walk(engine.start(PETS), ("text", "Rex"))
    outcome = engine.press(PETS, state, "choose", "9")
    assert outcome.error is not None and outcome.state == state


def test_engine__section_revisit__keeps_answers_and_returns_to_review() -> None:
    state = _walk(
        engine.start(PETS),
        ("text", "Mimi"),
        ("press", "choose:0"),
        ("press", "toggle:1"),
        ("press", "done:"),
        ("press", "skip:"),
    )
    state = engine.revisit_section(PETS, state, "main")
    assert state.current == "name"
    state = _walk(
        state, ("press", "keep:"), ("press", "choose:0"), ("press", "done:"), ("press", "skip:")
    )
    assert state.in_review and state.answers["name"] == "Mimi"


def test_engine__every_answer_bumps_the_version() -> None:
    first = engine.start(PETS)
    second = _walk(first, ("text", "Rex"))
    assert second.version == first.version + 1


def test_engine__state_survives_json_round_trip() -> None:
    state = _walk(engine.start(PETS), ("text", "Rex"), ("press", "choose:1"))
    assert engine.FormState.from_json(state.to_json()) == state
