"""Process updates concurrently across chats, and strictly in order within one chat."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar
from weakref import WeakValueDictionary

from telegram import Update
from telegram.ext import BaseUpdateProcessor

Item = TypeVar("Item")


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Let different users' updates run at once; one user's answers apply in the order sent.

    Python's asyncio.Lock wakes waiters first come, first served, and updates are started in
    the order Telegram delivered them, so a chat's updates never overtake each other.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers once no earlier update of the same chat is running."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.get(chat.id)
        if lock is None:
            lock = self._locks[chat.id] = asyncio.Lock()
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


class ChatQueues(Generic[Item]):
    """Run items of different chats at once and each chat's items one by one, in arrival order.

    `handle(item)` returns True when the item is finished, False to try it again after a pause
    (the database was unreachable); a chat's later items wait behind it so none overtakes.
    """

    def __init__(
        self,
        handle: Callable[[Item], Awaitable[bool]],
        *,
        max_concurrent: int = 64,
        retry_pauses: Sequence[float] = (0.5, 1, 2, 4, 8, 15, 30),
    ) -> None:
        self._handle = handle
        self._slots = asyncio.Semaphore(max_concurrent)
        self._pauses = tuple(retry_pauses)
        self._queues: dict[int, deque[Item]] = {}
        self._workers: dict[int, asyncio.Task[None]] = {}

    def put(self, chat: int, item: Item) -> None:
        """Queue an item behind the chat's earlier ones."""
        queue = self._queues.get(chat)
        if queue is not None:
            queue.append(item)
            return
        self._queues[chat] = deque([item])
        self._workers[chat] = asyncio.create_task(self._work(chat), name=f"chat-{chat}")

    @property
    def busy(self) -> int:
        """How many chats have items queued or running."""
        return len(self._workers)

    async def _work(self, chat: int) -> None:
        queue = self._queues[chat]
        failures = 0
        try:
            while queue:
                async with self._slots:
                    finished = await self._handle(queue[0])
                if finished:
                    queue.popleft()
                    failures = 0
                    continue
                await asyncio.sleep(self._pauses[min(failures, len(self._pauses) - 1)])
                failures += 1
        finally:
            # No await between the last `while queue` and here: nothing can be put meanwhile.
            del self._queues[chat]
            del self._workers[chat]

    async def drain(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for queued items, then cancel what still runs."""
        workers = list(self._workers.values())
        if not workers:
            return
        _done, running = await asyncio.wait(workers, timeout=timeout)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
