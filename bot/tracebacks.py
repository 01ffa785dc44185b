"""Tracebacks fit for logs: where it failed and what type, never the exception's message."""

from __future__ import annotations

import traceback

# An exception's message can carry personal data (a database error quotes the row's values),
# so logs get the types and the frames only; the frames name code, not data.


def stack_without_messages(error: BaseException) -> str:
    """Render the exception, and those it was raised from or during, as types and frames."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"{type(current).__module__}.{type(current).__qualname__}\n{frames}")
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    # Outermost last, as Python prints a chain.
    return "\nwhile handling or caused by the above:\n".join(reversed(parts))
