"""One message to show a person: HTML text and rows of (label, callback data) buttons, and
optionally a picture (sent as a photo, the text as its caption when it fits)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from bot.telegram.chat_text import MESSAGE_LIMIT, split_html, text_length

Buttons = list[list[tuple[str, str]]]
CAPTION_LIMIT = 1024  # Telegram's limit on a photo's caption


@dataclass(frozen=True)
class Reply:
    """A message to send or queue: HTML text and rows of (label, callback data) buttons."""

    text: str
    buttons: Buttons = field(default_factory=list)
    # PNG bytes, made when a notification is rendered for sending, or the file_id of a photo
    # Telegram holds already (one a director sent); never stored (to_json leaves it out), so
    # the outbox keeps a chart's figures and not its picture.
    photo: bytes | str | None = None

    def to_json(self) -> str:
        return json.dumps({"text": self.text, "buttons": self.buttons}, ensure_ascii=False)

    @classmethod
    def from_json(cls, payload: str) -> Reply:
        data = json.loads(payload)
        return cls(data["text"], [[tuple(b) for b in row] for row in data.get("buttons", [])])

    def parts(self) -> list[Reply]:
        """The message as Telegram takes it: texts within its limit, the buttons under the last.

        Split where lines end, or inside a longer line between escaped units (never inside
        `&amp;` or a tag; a tag open at a cut is closed and reopened), see `split_html`. With a
        photo, the text is its caption when it fits, else the photo goes first on its own.
        """
        if self.photo is not None:
            if text_length(self.text) <= CAPTION_LIMIT:
                return [self]
            return [Reply("", photo=self.photo), *Reply(self.text, self.buttons).parts()]
        if text_length(self.text) <= MESSAGE_LIMIT:
            return [self]
        texts = split_html(self.text) or [self.text]
        return [*(Reply(text) for text in texts[:-1]), Reply(texts[-1], self.buttons)]
