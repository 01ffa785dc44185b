"""Domain errors that carry a catalog key and values, so every caller can translate them."""

from __future__ import annotations

from collections.abc import Callable


class UserError(Exception):
    """Bad input or a refused action; `key` is a catalog message, `values` fill it in."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def render(self, translate: Callable[..., str]) -> str:
        """Translate the message, translating nested errors among the values too."""
        values = {
            name: value.render(translate) if isinstance(value, UserError) else value
            for name, value in self.values.items()
        }
        return translate(self.key, **values)
