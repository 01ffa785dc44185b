"""Showing the next question in place of the pressed one, and when Telegram will not allow it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import BadRequest

from bot.reply import Reply
from handlers.forms import drop_buttons, edit_in_place


class QuestionMessage:
    """A question in the chat, with its buttons."""

    def __init__(self) -> None:
        self.chat_id, self.message_id = 10_001, 7
        self.reply_markup = {"inline_keyboard": [[{"text": "汉族", "callback_data": "f:1:4"}]]}


class RefusingBot:
    """A bot whose question edits Telegram answers with one error."""

    def __init__(self, error: str) -> None:
        self.error = error

    async def edit_question(self, **_kwargs: Any) -> None:
        raise BadRequest(self.error)

    async def remove_buttons(self, **_kwargs: Any) -> None:
        raise BadRequest(self.error)


def edit(error: str) -> bool:
    shown = edit_in_place(RefusingBot(error), QuestionMessage(), Reply("下一题"))  # type: ignore[arg-type]
    return asyncio.run(shown)


def test_edit_in_place__message_too_old__caller_sends_question_anew() -> None:
    assert edit("Bad Request: message can't be edited") is False


def test_edit_in_place__message_deleted__caller_sends_question_anew() -> None:
    assert edit("Bad Request: message to edit not found") is False


def test_edit_in_place__message_is_a_photo__caller_sends_question_anew() -> None:
    assert edit("Bad Request: there is no text in the message to edit") is False


def test_edit_in_place__same_question_again__counts_as_shown() -> None:
    assert edit("Bad Request: message is not modified") is True


def test_edit_in_place__broken_html__raised_for_the_error_handler() -> None:
    with pytest.raises(BadRequest):
        edit("Bad Request: can't parse entities")


def test_drop_buttons__message_too_old__left_as_it_is() -> None:
    refusing = RefusingBot("Bad Request: message can't be edited")
    asyncio.run(drop_buttons(refusing, QuestionMessage()))  # type: ignore[arg-type]


def test_drop_buttons__broken_request__raised_for_the_error_handler() -> None:
    with pytest.raises(BadRequest):
        refusing = RefusingBot("Bad Request: message must be non-empty")
        asyncio.run(drop_buttons(refusing, QuestionMessage()))  # type: ignore[arg-type]
