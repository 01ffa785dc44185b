"""Every message key used in the code has a text in both catalogs, with the same placeholders."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from bot.forms.registry import form_specs
from bot.i18n import load_catalog
from bot.settings import PROJECT_ROOT, SUPPORTED_LOCALES

KEYWORDS = {
    name: None
    for name in ("N_", "t", "plain", "translate", "UserError", "InvalidAnswer", "Problem")
}


def form_keys() -> set[str]:
    """Label keys declared as data in the form definitions."""
    keys: set[str] = set()
    for form in (spec.form for spec in form_specs()):
        keys.add(form.title)
        for section in form.sections:
            keys.add(section.label)
            for field in section.fields:
                keys.add(field.label)
                keys.update(choice.label for choice in field.choices)
    return keys


def used_keys() -> set[str]:
    keys: set[str] = form_keys()
    for folder in ("bot", "handlers", "storage"):
        for _file, _line, message, *_rest in extract_from_dir(
            PROJECT_ROOT / folder, keywords=KEYWORDS, comment_tags=()
        ):
            if isinstance(message, str) and "." in message and " " not in message:
                keys.add(message)
    return keys


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_catalog__every_used_key__has_a_text(locale: str) -> None:
    catalog = load_catalog(locale)
    missing = sorted(used_keys() - set(catalog))
    assert missing == []


def test_catalogs__same_keys_and_placeholders_in_every_locale() -> None:
    zh, en = load_catalog("zh_Hans"), load_catalog("en")
    assert set(zh) == set(en)
    mismatched = [key for key in zh if placeholders(zh[key]) != placeholders(en[key])]
    assert mismatched == []


def test_catalog__no_key_left_unused() -> None:
    unused = sorted(set(load_catalog("en")) - used_keys())
    assert unused == []


def test_catalogs__are_po_files_under_locales() -> None:
    for locale in SUPPORTED_LOCALES:
        assert list(Path(PROJECT_ROOT, "locales", locale, "LC_MESSAGES").glob("*.po"))
