"""Babel catalogs: every user-facing text is a message key looked up in the user's locale."""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from bot.settings import PROJECT_ROOT, SUPPORTED_LOCALES

LOCALES_DIR = PROJECT_ROOT / "locales"
log = logging.getLogger(__name__)


def N_(key: str) -> str:
    """Mark a message key for extraction without translating it yet."""
    return key


def load_catalog(locale: str, locales_dir: Path = LOCALES_DIR) -> dict[str, str]:
    """Read every .po file of one locale into a key → text mapping."""
    messages: dict[str, str] = {}
    for po_file in sorted((locales_dir / locale / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=locale.replace("_Hans", ""))
        for message in catalog:
            if message.id and isinstance(message.id, str) and message.string:
                messages[message.id] = str(message.string)
    return messages


@dataclass(frozen=True)
class Translator:
    """Texts of one locale; placeholders are HTML-escaped because messages are sent as HTML."""

    locale: str
    messages: Mapping[str, str]
    fallback: Mapping[str, str]

    def __call__(self, key: str, **values: object) -> str:
        template = self.messages.get(key) or self.fallback.get(key)
        if template is None:
            log.warning("missing catalog message %s", key)
            return key
        escaped = {name: html.escape(str(value), quote=False) for name, value in values.items()}
        return template.format(**escaped)

    def plain(self, key: str, **values: object) -> str:
        """Return the text without HTML escaping, for button labels and command descriptions."""
        template = self.messages.get(key) or self.fallback.get(key) or key
        return template.format(**{name: str(value) for name, value in values.items()})


class I18n:
    """All catalogs, loaded once at start-up."""

    def __init__(self, default_locale: str = "zh_Hans", locales_dir: Path = LOCALES_DIR) -> None:
        self.default_locale = default_locale
        self.catalogs = {locale: load_catalog(locale, locales_dir) for locale in SUPPORTED_LOCALES}

    def translator(self, locale: str | None) -> Translator:
        chosen = locale if locale in self.catalogs else self.default_locale
        return Translator(chosen, self.catalogs[chosen], self.catalogs[self.default_locale])

    def all_labels(self, key: str) -> set[str]:
        """Return the text of one key in every locale, to recognise reply-keyboard presses."""
        return {catalog[key] for catalog in self.catalogs.values() if key in catalog}


@cache
def default_i18n() -> I18n:
    """Return the catalogs with the default locale, for code paths without settings."""
    return I18n()
