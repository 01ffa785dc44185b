"""The bot's Bot API client: PTB's ExtBot, with a lean call for the busiest answer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.telegram.keyboards import Buttons, inline_keyboard


class Fetched(NamedTuple):
    """An update as Telegram sent it: the object, and its JSON for the inbox."""

    update: Update
    payload: str


class GuanaiBot(ExtBot[int]):  # int: the rate limiter's per-call arguments
    """ExtBot, plus the lean edits every form button press ends with."""

    async def edit_question(
        self, *, chat_id: int, message_id: int, text: str, buttons: Buttons
    ) -> None:
        """Replace a message's text and buttons, raising PTB's errors as `edit_message_text` does.

        Telegram answers an edit with the whole edited message; `edit_message_text` builds a
        `Message` from it, keyboard and all, which cost a sixth of the bot's time on a form
        step. Nothing here reads that answer, so it is not parsed. The buttons go as JSON
        rather than as PTB objects for the same reason.
        """
        data: dict[str, object] = {
            "chat_id": chat_id,
            "message_id": message_id,
            "text": text,
            "parse_mode": DEFAULT_NONE,  # the Defaults' parse mode, as edit_message_text sends
        }
        if buttons:
            data["reply_markup"] = inline_keyboard(buttons)
        await self._post("editMessageText", data)

    async def remove_buttons(self, *, chat_id: int, message_id: int) -> None:
        """Take a message's buttons away; like `edit_question`, Telegram's answer is not parsed."""
        await self._post("editMessageReplyMarkup", {"chat_id": chat_id, "message_id": message_id})

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        """Stop a button's spinner; an answer Telegram no longer takes is not an error.

        An update run again (after a crash, or by another web process) may answer a query that
        was answered already or expired: the director's spinner stopped long ago.
        """
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as error:
            reason = str(error).lower()  # PTB capitalises Telegram's description
            if "query is too old" in reason or "query id is invalid" in reason:
                return False
            raise

    async def fetch_updates(
        self, *, offset: int | None, timeout: int, allowed_updates: Sequence[str]
    ) -> list[Fetched]:
        """Long-poll getUpdates as `get_updates` does, keeping each update's JSON as received.

        The inbox stores that JSON; `Update.to_json()` rebuilt it field by field, which cost
        the fetch loop as much as all the rest of storing a batch.
        """
        base_read_timeout = self._request[0].read_timeout or 0
        result = await self._post(
            "getUpdates",
            {"timeout": timeout, "offset": offset, "allowed_updates": list(allowed_updates)},
            read_timeout=base_read_timeout + timeout,
        )
        fetched = []
        for item in result:
            update = Update.de_json(item, self)
            self.insert_callback_data(update)
            fetched.append(Fetched(update, json.dumps(item, ensure_ascii=False)))
        return fetched
