"""Telegram's limit on one message's text, and splitting longer texts where blocks end."""

from __future__ import annotations

MESSAGE_LIMIT = 4096


def split_messages(
    blocks: list[str], limit: int = MESSAGE_LIMIT, separator: str = "\n\n"
) -> list[str]:
    """Join blocks into as few messages as fit the limit (a block longer than it is cut)."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        block = block[:limit]
        candidate = f"{current}{separator}{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
        else:
            messages.append(current)
            current = block
    if current:
        messages.append(current)
    return messages
