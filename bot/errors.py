"""Errors that carry a catalog key and values, so every caller can translate them."""

from __future__ import annotations

from collections.abc import Callable


class TranslatableError(Exception):
    """An error whose message is a catalog key filled in with values."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def render(self, translate: Callable[..., str]) -> str:
        """Translate the message, translating nested errors among the values too."""
        values = {
            name: value.render(translate) if isinstance(value, TranslatableError) else value
            for name, value in self.values.items()
        }
        return translate(self.key, **values)


class UserError(TranslatableError):
    """Bad input or a refused action, outside a form question."""


class InvalidAnswer(TranslatableError, ValueError):
    """A parser's or validator's refusal of an answer: what is wrong and what to type instead."""
