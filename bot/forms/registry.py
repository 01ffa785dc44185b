"""The forms the bot knows, checked once when first used."""

from __future__ import annotations

from functools import cache

from bot.forms.intake import INTAKE
from bot.forms.model import Form, check_form
from bot.forms.types import FIELD_TYPES

# An edit walks the same form as the intake, pre-filled, and saves over the stored file.
FORMS: dict[str, Form] = {"intake": INTAKE, "intake_edit": INTAKE}


@cache
def get_form(name: str) -> Form:
    """Return a form by name, refusing one whose declaration cannot work."""
    form = FORMS[name]
    check_form(form, list(FIELD_TYPES))
    return form
