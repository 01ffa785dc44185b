"""The bot's lean question edit against the fake Bot API: HTML by default, buttons, PTB's errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Defaults

from bot.telegram.botapi import GuanaiBot
from bot.telegram.transport import AiohttpRequest
from tests.fakegram import FakeTelegram

CHAT = 10_001
BUTTONS = [[("汉族", "f:1:4:pick:0"), ("回族", "f:1:4:pick:1")], [("跳过", "f:1:4:skip")]]


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        server.user(CHAT, first_name="主任")
        yield server


def with_bot(fake: FakeTelegram, work: Callable[[GuanaiBot, int], Awaitable[Any]]) -> Any:
    """Send one question from a GuanaiBot, then run work(bot, message_id)."""

    async def run() -> Any:
        bot = GuanaiBot(
            token=fake.token,
            base_url=fake.api_url,
            request=AiohttpRequest(),
            get_updates_request=AiohttpRequest(connection_pool_size=1),
            defaults=Defaults(parse_mode=ParseMode.HTML),
        )
        async with bot:
            sent = await bot.send_message(CHAT, "<b>第一题</b>")
            return await work(bot, sent.message_id)

    return asyncio.run(run())


def test_edit_question__html_text_and_buttons__message_replaced(fake: FakeTelegram) -> None:
    async def work(bot: GuanaiBot, message_id: int) -> None:
        await bot.edit_question(
            chat_id=CHAT, message_id=message_id, text="✓ 汉族\n<b>第二题</b>", buttons=BUTTONS
        )

    with_bot(fake, work)
    message = fake.user(CHAT).last()
    assert message.edited and message.text == "✓ 汉族\n第二题"
    assert message.parse_mode == "HTML" and message.entities[0]["type"] == "bold"
    assert message.buttons() == [
        ("汉族", "f:1:4:pick:0"),
        ("回族", "f:1:4:pick:1"),
        ("跳过", "f:1:4:skip"),
    ]


def test_edit_question__no_buttons__keyboard_removed(fake: FakeTelegram) -> None:
    async def work(bot: GuanaiBot, message_id: int) -> None:
        await bot.edit_question(chat_id=CHAT, message_id=message_id, text="甲", buttons=BUTTONS)
        await bot.edit_question(chat_id=CHAT, message_id=message_id, text="乙", buttons=[])

    with_bot(fake, work)
    message = fake.user(CHAT).last()
    assert message.text == "乙" and message.inline_keyboard == []


def test_edit_question__same_content__not_modified_error(fake: FakeTelegram) -> None:
    async def work(bot: GuanaiBot, message_id: int) -> None:
        await bot.edit_question(
            chat_id=CHAT, message_id=message_id, text="<b>第一题</b>", buttons=[]
        )

    with pytest.raises(BadRequest, match="not modified"):
        with_bot(fake, work)


def test_edit_question__broken_html__bad_request_and_message_unchanged(
    fake: FakeTelegram,
) -> None:
    async def work(bot: GuanaiBot, message_id: int) -> None:
        await bot.edit_question(chat_id=CHAT, message_id=message_id, text="<b>坏", buttons=[])

    with pytest.raises(BadRequest, match="parse entities"):
        with_bot(fake, work)
    assert fake.user(CHAT).last().text == "第一题"


def test_remove_buttons__question_with_buttons__text_kept_buttons_gone(fake: FakeTelegram) -> None:
    async def work(bot: GuanaiBot, message_id: int) -> None:
        await bot.edit_question(chat_id=CHAT, message_id=message_id, text="甲", buttons=BUTTONS)
        await bot.remove_buttons(chat_id=CHAT, message_id=message_id)

    with_bot(fake, work)
    message = fake.user(CHAT).last()
    assert message.text == "甲" and message.inline_keyboard == []


def test_remove_buttons__message_deleted__bad_request(fake: FakeTelegram) -> None:
    async def work(bot: GuanaiBot, message_id: int) -> None:
        await bot.remove_buttons(chat_id=CHAT, message_id=message_id + 100)

    with pytest.raises(BadRequest, match="not found"):
        with_bot(fake, work)


def test_answer_callback_query__answered_already__not_an_error(fake: FakeTelegram) -> None:
    user = fake.user(CHAT)

    async def work(bot: GuanaiBot, message_id: int) -> tuple[bool, bool]:
        await bot.edit_question(chat_id=CHAT, message_id=message_id, text="题", buttons=BUTTONS)
        query_id = await asyncio.to_thread(user.press, "汉族")
        first = await bot.answer_callback_query(query_id)
        # An update run again after a crash answers the same query a second time.
        again = await bot.answer_callback_query(query_id)
        return first, again

    assert with_bot(fake, work) == (True, False)


def test_answer_callback_query__text_too_long__still_raises(fake: FakeTelegram) -> None:
    user = fake.user(CHAT)

    async def work(bot: GuanaiBot, message_id: int) -> None:
        await bot.edit_question(chat_id=CHAT, message_id=message_id, text="题", buttons=BUTTONS)
        query_id = await asyncio.to_thread(user.press, "汉族")
        await bot.answer_callback_query(query_id, text="x" * 300)

    with pytest.raises(BadRequest):
        with_bot(fake, work)
