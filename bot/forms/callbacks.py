"""Button data for forms: draft, version, action and argument, always within 64 bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "f"
PATTERN = re.compile(r"^f:(\d{1,12}):(\d{1,9}):([a-z]{1,12}):([A-Za-z0-9_.\-]{0,24})$")
MAX_BYTES = 64


@dataclass(frozen=True)
class FormPress:
    draft_id: int
    version: int
    action: str
    arg: str


def encode(draft_id: int, version: int, action: str, arg: str = "") -> str:
    data = f"{PREFIX}:{draft_id}:{version}:{action}:{arg}"
    if len(data.encode()) > MAX_BYTES or not PATTERN.match(data):
        raise ValueError("button data does not fit Telegram's 64 bytes")
    return data


def decode(data: str) -> FormPress | None:
    """Read button data, or None when it is not a well-formed form press."""
    match = PATTERN.match(data)
    if match is None:
        return None
    draft_id, version, action, arg = match.groups()
    return FormPress(int(draft_id), int(version), action, arg)
