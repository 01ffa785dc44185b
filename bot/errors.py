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


class AccessDenied(UserError):
    """A refused attempt to reach a record outside the caller's area or role.

    The transaction that raised it rolls back, so the caller records the attempt in the audit
    log in a transaction of its own (see bot.audit.record_denied).
    """

    def __init__(self, key: str, *, table: str, record_id: object, **values: object) -> None:
        super().__init__(key, **values)
        self.table = table
        self.record_id = record_id


class InvalidAnswer(TranslatableError, ValueError):
    """A parser's or validator's refusal of an answer: what is wrong and what to type instead."""
