"""One message to show a person: HTML text and rows of (label, callback data) buttons."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from bot.telegram.chat_text import MESSAGE_LIMIT, split_messages

Buttons = list[list[tuple[str, str]]]


@dataclass(frozen=True)
class Reply:
    """A message to send or queue: HTML text and rows of (label, callback data) buttons."""

    text: str
    buttons: Buttons = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"text": self.text, "buttons": self.buttons}, ensure_ascii=False)

    @classmethod
    def from_json(cls, payload: str) -> Reply:
        data = json.loads(payload)
        return cls(data["text"], [[tuple(b) for b in row] for row in data.get("buttons", [])])

    def parts(self) -> list[Reply]:
        """The message as Telegram takes it: split where lines end into texts within its limit,
        the buttons under the last."""
        if len(self.text) <= MESSAGE_LIMIT:
            return [self]
        texts = split_messages(self.text.split("\n"), separator="\n")
        return [*(Reply(text) for text in texts[:-1]), Reply(texts[-1], self.buttons)]
