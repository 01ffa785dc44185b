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


# --- one tap for "none", one step for media, a pick from the form's own list ---------------

SNAPS = Form(
    name="snaps",
    title="t",
    context=("_kids",),
    sections=(
        section(
            "main",
            "s",
            Field("media", "media", "l.media", required=False, options={"kinds": ("photo",)}),
            Field("kids", "pick_many", "l.kids", options={"from": "_kids"}),
        ),
    ),
)


def _at_toys() -> engine.FormState:
    state = engine.start(PETS)
    state = engine.answer_text(PETS, state, "Tom", CTX).state
    return engine.press(PETS, state, "choose", "0").state  # a cat: barking is not asked


def test_multi_choice__none__answers_in_one_tap() -> None:
    state = _at_toys()
    assert state.current == "toys"
    after = engine.press(PETS, state, "toggle", "2")
    assert after.error is None and after.state.answers["toys"] == ["none"]
    assert after.state.current == "note"


def test_multi_choice__other_choice__still_waits_for_done() -> None:
    state = engine.press(PETS, _at_toys(), "toggle", "0").state
    assert state.current == "toys" and state.working == ("ball",)


def test_multi_choice__none_stored__another_tick_lets_go_of_it() -> None:
    # As when correcting a report that said "none": the stored answer is where ticks start.
    state = engine.press(PETS, _at_toys(), "toggle", "2").state
    state = engine.jump_to(PETS, state, "toys")
    ticked = engine.press(PETS, state, "toggle", "0").state
    assert ticked.working == ("ball",)
    done = engine.press(PETS, ticked, "done", "")
    assert done.error is None and done.state.answers["toys"] == ["ball"]


def test_media_step__photos_kept_until_done__other_kinds_refused() -> None:
    state = engine.start(SNAPS, {"_kids": [[7, "Ann"]]})
    voice = engine.answer_media(SNAPS, state, "voice", {"file_id": "v"})
    assert voice.error is not None and voice.error.key == "error.form.unexpected_media"
    state = engine.answer_media(SNAPS, state, "photo", {"file_id": "p"}).state
    assert state.current == "media" and state.answers["media"] == {"photo": {"file_id": "p"}}
    state = engine.press(SNAPS, state, "done", "").state
    assert state.current == "kids"


def test_media_step__done_with_nothing_sent__refused() -> None:
    state = engine.start(SNAPS, {"_kids": [[7, "Ann"]]})
    outcome = engine.press(SNAPS, state, "done", "")
    assert outcome.error is not None and outcome.state == state


def test_pick_many__picks_kept_in_order_pressed__none_stands_alone() -> None:
    state = engine.start(SNAPS, {"_kids": [[7, "Ann"], [9, "Bo"]]})
    state = engine.press(SNAPS, state, "skip", "").state
    state = engine.press(SNAPS, state, "toggle", "9").state
    state = engine.press(SNAPS, state, "toggle", "7").state
    assert engine.press(SNAPS, state, "done", "").state.answers["kids"] == ["9", "7"]
    alone = engine.press(SNAPS, state, "toggle", "none").state
    assert alone.answers["kids"] == ["none"] and alone.in_review


def test_work_log__forged_pick_of_a_child_not_offered__refused() -> None:
    from bot.forms.care_log import WORK_LOG

    state = engine.start(WORK_LOG, {"_children": [[7, "Ann"]]})
    state = engine.press(WORK_LOG, state, "choose", TODAY.isoformat()).state
    state = engine.answer_text(WORK_LOG, state, "visited families", CTX).state
    state = engine.press(WORK_LOG, state, "toggle", "8").state
    outcome = engine.press(WORK_LOG, state, "done", "")
    assert outcome.error is not None and outcome.error.key == "error.choice.use_buttons"
    assert outcome.state.current == "children"
