"""Button data, one codec per prefix: encode and decode, always within Telegram's 64 bytes.

Form presses have their own codec in `bot.forms.callbacks` (draft, version, action, argument).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.settings import SUPPORTED_LOCALES

MAX_BYTES = 64
ID = r"\d{1,12}"


@dataclass(frozen=True)
class Codec:
    """Button data `prefix:part:part…`, each part matching its own pattern."""

    prefix: str
    parts: tuple[str, ...]

    @property
    def pattern(self) -> str:
        """The regular expression a CallbackQueryHandler matches this codec's data with."""
        return "^" + ":".join([re.escape(self.prefix), *(f"({p})" for p in self.parts)]) + "$"

    def encode(self, *values: object) -> str:
        data = ":".join([self.prefix, *(str(v) for v in values)])
        if len(data.encode()) > MAX_BYTES or not re.match(self.pattern, data):
            raise ValueError(f"button data {data!r} does not fit codec {self.prefix}")
        return data

    def decode(self, data: str) -> tuple[str, ...] | None:
        """Read the parts back, or None when the data is not this codec's."""
        match = re.match(self.pattern, data)
        return match.groups() if match else None


ESCALATION = Codec("esc", ("ack|res|ask|reply", ID))
VISIT_START = Codec("vs", (ID,))
VISIT_EDIT = Codec("ve", (ID,))
CHILDREN = Codec("ch", ("list|card|edit", ID))
SNOOZE = Codec("rz", ("1",))
LEDGER_IMPORT = Codec("imp", ("all|part|no", ID))  # the checked import's audit row
LANGUAGE = Codec("lang", ("|".join(map(re.escape, SUPPORTED_LOCALES)),))
