"""What the domain says to someone: a kind and its parameters, rendered only when sent.

The outbox stores `{"kind": ..., "params": ...}` in its payload column; rows queued before this
format (`{"text": ..., "buttons": ...}`, a message already rendered) are read as a `Reply`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.reply import Reply

# Keys the sender adds to a stored payload while it sends a long message part by part.
SENT_PARTS, LOCALE = "sent_parts", "locale"


@dataclass(frozen=True, slots=True)
class Notification:
    """One message's meaning: its kind (which renderer) and JSON-able parameters."""

    kind: str
    params: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "params": self.params}, ensure_ascii=False)


def text_notice(key: str, **values: str | int) -> Notification:
    """A message that is one catalog text with its values."""
    return Notification("text", {"key": key, "values": values})


@dataclass(frozen=True)
class Stored:
    """An outbox payload read back: what to render, and how far a send in parts got."""

    content: Notification | Reply
    sent_parts: int = 0
    locale: str | None = None  # the locale the first parts went out in, kept for the rest


def read_payload(payload: str) -> Stored:
    """Read an outbox payload of either format."""
    data = json.loads(payload)
    content: Notification | Reply
    if "kind" in data:
        content = Notification(data["kind"], data.get("params") or {})
    else:
        content = Reply(data["text"], [[tuple(b) for b in row] for row in data.get("buttons", [])])
    return Stored(content, int(data.get(SENT_PARTS, 0)), data.get(LOCALE))


def with_progress(payload: str, *, sent_parts: int, locale: str | None) -> str:
    """The payload with how many parts went out, and in which locale."""
    data = json.loads(payload)
    data[SENT_PARTS], data[LOCALE] = sent_parts, locale
    return json.dumps(data, ensure_ascii=False)
