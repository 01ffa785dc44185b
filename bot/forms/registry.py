"""The forms the bot knows, checked once when first used."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from bot.forms.intake import INTAKE
from bot.forms.model import Form, check_form
from bot.forms.notes import ASK, REPLY, RESOLVE
from bot.forms.types import FIELD_TYPES
from bot.forms.visit import VISIT, VISIT_EDIT
from bot.i18n import N_

FORMS: dict[str, Form] = {
    form.name: form
    for form in (
        INTAKE,
        # An edit walks the same questions, pre-filled, and saves over the stored file.
        replace(INTAKE, name="intake_edit", edits_record=True, saved=N_("form.saved_edit")),
        VISIT,
        VISIT_EDIT,
        RESOLVE,
        ASK,
        REPLY,
    )
}


@cache
def get_form(name: str) -> Form:
    """Return a form by name, refusing one whose declaration cannot work."""
    form = FORMS[name]
    check_form(form, list(FIELD_TYPES))
    return form
