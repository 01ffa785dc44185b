"""The one inline keyboard builder: rows of (label, data) as PTB objects or Bot API JSON."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

Buttons = Sequence[Sequence[tuple[str, str]]]  # rows of (label, callback data)


def inline_keyboard(buttons: Buttons) -> dict[str, object]:
    """Return an InlineKeyboardMarkup as the Bot API's JSON object."""
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in buttons
        ]
    }


def markup(buttons: Buttons) -> InlineKeyboardMarkup | None:
    """Return the keyboard as PTB's markup, or None when there are no buttons."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in buttons
        ]
    )
