"""Form declarations: refused at registration when they cannot work; type options honoured."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import InvalidAnswer
from bot.forms.model import Field, Form, FormDefinitionError, section
from bot.forms.registry import FormSpec, Saved, form_spec, register_form, unregister_form
from bot.forms.types import FIELD_TYPES, ParseContext
from tests.support.ids import resident_id

TODAY = date(2026, 11, 2)


def small_form(name: str, *fields: Field) -> Form:
    return Form(name=name, title="t", sections=(section("s", "s", *fields),))


def test_register__form_without_on_save__refused() -> None:
    spec = FormSpec(small_form("no_save", Field("a", "text", "l.a")))
    with pytest.raises(FormDefinitionError, match="no on_save"):
        register_form(spec)
    with pytest.raises(KeyError):
        form_spec("no_save")


def test_register__option_the_type_does_not_read__refused() -> None:
    field = Field("a", "text", "l.a", options={"adult": True})
    spec = FormSpec(small_form("odd_option", field), on_save=lambda _c, _a: Saved(None))
    with pytest.raises(FormDefinitionError, match="option adult, which type text does not read"):
        register_form(spec)
    with pytest.raises(KeyError):
        form_spec("odd_option")


def test_register__same_name_twice__refused() -> None:
    spec = FormSpec(small_form("twice", Field("a", "text", "l.a")), on_save=lambda _c, _a: Saved(1))
    register_form(spec)
    try:
        with pytest.raises(FormDefinitionError, match="registered twice"):
            register_form(spec)
    finally:
        unregister_form("twice")


def test_builtin_forms__all_registered_with_their_hooks() -> None:
    for name in ("intake", "intake_edit", "visit", "visit_edit", "esc_resolve", "esc_ask"):
        assert form_spec(name).on_save is not None
    assert form_spec("visit").on_answer is not None


def parse_id(field: Field, number: str) -> str:
    parse = FIELD_TYPES["id_number"].parse
    assert parse is not None
    return str(parse(number, field, ParseContext(today=TODAY)))


def test_parent_id__a_child_s_number__refused_as_not_an_adult() -> None:
    parent = form_spec("intake").form.field("father_id")
    child_number = resident_id(birth="20150601")
    with pytest.raises(InvalidAnswer) as refused:
        parse_id(parent, child_number)
    assert refused.value.key == "error.id.not_adult"
    assert parse_id(form_spec("intake").form.field("child_id"), child_number) == child_number


def test_parent_id__eighteen_today__accepted_seventeen__refused() -> None:
    parent = form_spec("intake").form.field("mother_id")
    eighteen = resident_id(birth="20081102", sequence="124")
    assert parse_id(parent, eighteen) == eighteen
    with pytest.raises(InvalidAnswer):
        parse_id(parent, resident_id(birth="20081103", sequence="124"))


def test_binding__other_ethnicity__stored_by_name_and_read_back_as_other() -> None:
    from bot.forms.binding import answers_from, bound_fields, column_values
    from bot.forms.intake import INTAKE

    fields = tuple(f for f in bound_fields(INTAKE, "child") if f.name == "ethnicity")
    stored = column_values(fields, {"ethnicity": "other", "ethnicity_other": "畲族支系"})
    assert stored == {"ethnicity": "畲族支系"}

    class Row:
        ethnicity = "畲族支系"

    assert answers_from(fields, Row()) == {"ethnicity": "other", "ethnicity_other": "畲族支系"}
