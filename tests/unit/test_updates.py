"""Updates of one chat run in order; different chats run at the same time."""

from __future__ import annotations

import asyncio
import time

from telegram import Chat, Message, Update

from bot.telegram.updates import PerChatUpdateProcessor


def update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, None, chat, text="x"))  # type: ignore[arg-type]


def test_processor__same_chat_in_order__other_chats_in_parallel() -> None:
    processor = PerChatUpdateProcessor(8)
    finished: list[tuple[int, float]] = []

    async def work(update_id: int, seconds: float) -> None:
        await asyncio.sleep(seconds)
        finished.append((update_id, time.monotonic()))

    async def main() -> float:
        started = time.monotonic()
        await asyncio.gather(
            processor.process_update(update(1, 100), work(1, 0.3)),
            processor.process_update(update(2, 100), work(2, 0.0)),
            processor.process_update(update(3, 200), work(3, 0.0)),
        )
        return started

    started = asyncio.run(main())
    order = [update_id for update_id, _ in finished]
    assert order.index(1) < order.index(2)  # the quick second update waited for the first
    assert dict(finished)[3] - started < 0.2  # another chat did not wait
