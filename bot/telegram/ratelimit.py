"""Telegram's flood limits kept on our side: 30 messages a second overall, about one a second
to each chat (20 a minute in a group), and a 429 backs off only the chat it was about."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
JSON = bool | dict[str, Any] | list[dict[str, Any]]
PRIVATE_SPACING = 1.0  # Telegram: "avoid sending more than one message per second" to a chat
GROUP_SPACING = 3.0  # and no more than 20 messages a minute to a group
RETRY_MARGIN = 0.05  # Telegram rounds retry_after to whole seconds; a hair more is safe


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds a 429 asks us to wait, whichever type this PTB version gives."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass
class _Chat:
    """What the limiter knows about one chat."""

    resume_at: float = 0.0  # the end of this chat's last 429 back-off
    next_bulk_at: float = 0.0  # the earliest the next bulk message may go to this chat
    waiting: int = 0  # bulk sends holding or queued for `turn`
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)  # FIFO: bulk sends keep their order

    def idle(self, now: float) -> bool:
        return not self.waiting and self.resume_at <= now and self.next_bulk_at <= now


class FloodLimiter(BaseRateLimiter[int]):
    """Keep to Telegram's limits, per chat and overall, and keep replies ahead of bulk sends.

    A bulk send (the outbox passes `rate_limit_args`, its number of retries) waits until its
    chat's last message is `spacing` old and a slot is free in the overall window, in which it
    leaves `reply_reserve` slots for replies. A reply to the user in front of the bot goes at
    once and only waits out a 429 back-off of its own chat. A 429 backs off the chat it was for
    and nothing else: replies and bulk sends to other chats keep flowing. A bulk send whose chat
    is backing off for longer than `max_bulk_wait` is refused at once with RetryAfter, so the
    outbox can reschedule that row and get on with other chats rather than hold a slot.
    """

    def __init__(
        self,
        limit: int = 30,
        period: float = 1.0,
        max_retries: int = 3,
        *,
        spacing: float = PRIVATE_SPACING,
        group_spacing: float = GROUP_SPACING,
        reply_reserve: int = 1,
        max_bulk_wait: float = 5.0,
        forget_after: int = 1024,
    ) -> None:
        self.limit, self.period, self.max_retries = limit, period, max_retries
        self.spacing, self.group_spacing = spacing, group_spacing
        self.bulk_limit = max(limit - reply_reserve, 1)
        self.max_bulk_wait = max_bulk_wait
        # One cell per send, restamped on answer. Whether a window is full depends only on the
        # newest `limit` sends, so no more are kept, even when only replies come for days.
        self._sent: deque[list[float]] = deque(maxlen=limit)
        self._window = asyncio.Lock()
        self._chats: dict[Hashable, _Chat] = {}
        self._forget_after = self._forget_base = forget_after

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _spacing(self, chat_id: Hashable) -> float:
        group = isinstance(chat_id, int) and chat_id < 0
        return self.group_spacing if group else self.spacing

    def _chat(self, chat_id: Hashable) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            if len(self._chats) >= self._forget_after:
                self._forget_idle()
            chat = self._chats[chat_id] = _Chat()
        return chat

    def _forget_idle(self) -> None:
        """Drop chats with nothing pending, so a bot that talks to many people stays small."""
        now = time.monotonic()
        self._chats = {key: chat for key, chat in self._chats.items() if not chat.idle(now)}
        # Sweep again only when the table doubled, so the cost stays proportional to the sends.
        self._forget_after = max(self._forget_base, 2 * len(self._chats))

    async def _reserve(self) -> list[float]:
        """Wait for a free slot in the overall window, leaving the reserve to replies."""
        async with self._window:
            while True:
                now = time.monotonic()
                recent = [c[0] for c in self._sent if now - c[0] < self.period]
                if len(recent) < self.bulk_limit:
                    cell = [now]
                    self._sent.append(cell)
                    return cell
                # The slot frees when the oldest send that keeps the window full ages out.
                oldest = sorted(recent)[len(recent) - self.bulk_limit]
                await asyncio.sleep(max(self.period - (now - oldest), 0.005))

    def _count(self) -> list[float]:
        cell = [time.monotonic()]
        self._sent.append(cell)
        return cell

    async def _wait_for_chat(self, chat: _Chat, bulk: bool) -> None:
        while True:
            now = time.monotonic()
            if bulk and chat.resume_at - now > self.max_bulk_wait:
                raise RetryAfter(math.ceil(chat.resume_at - now))
            ready = max(chat.resume_at, chat.next_bulk_at) if bulk else chat.resume_at
            if ready <= now:
                return
            await asyncio.sleep(ready - now)  # the back-off may grow meanwhile: check again

    async def _send_to_chat(
        self,
        chat_id: Hashable,
        chat: _Chat,
        bulk: bool,
        retries: int,
        call: Callable[[], Coroutine[Any, Any, JSON]],
        endpoint: str,
    ) -> JSON:
        for attempt in range(retries + 1):
            await self._wait_for_chat(chat, bulk)
            cell = await self._reserve() if bulk else self._count()
            try:
                return await call()
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                chat.resume_at = max(chat.resume_at, time.monotonic() + seconds + RETRY_MARGIN)
                log.info("rate limit hit on %s for one chat; it waits %.1f s", endpoint, seconds)
                if attempt == retries or (bulk and seconds > self.max_bulk_wait):
                    raise
            finally:
                answered = time.monotonic()
                cell[0] = answered  # the window counts from Telegram's answer
                spaced = answered + self._spacing(chat_id)
                chat.next_bulk_at = max(chat.next_bulk_at, spaced)
        raise AssertionError("unreachable")

    async def _send_without_chat(
        self, retries: int, call: Callable[[], Coroutine[Any, Any, JSON]], endpoint: str
    ) -> JSON:
        for attempt in range(retries + 1):
            try:
                return await call()
            except RetryAfter as error:
                if attempt == retries:
                    raise
                seconds = retry_after_seconds(error)
                log.info("rate limit hit on %s; it waits %.1f s", endpoint, seconds)
                await asyncio.sleep(seconds + RETRY_MARGIN)
        raise AssertionError("unreachable")

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        """Call Telegram when the chat and the overall window allow; wait out 429 per chat."""
        chat_id = data.get("chat_id")
        bulk = rate_limit_args is not None
        retries = rate_limit_args if rate_limit_args is not None else self.max_retries

        def call() -> Coroutine[Any, Any, JSON]:
            return callback(*args, **kwargs)

        if chat_id is None:  # getUpdates, answerCallbackQuery...: no chat to pace
            return await self._send_without_chat(retries, call, endpoint)
        chat = self._chat(chat_id)
        if not bulk:
            return await self._send_to_chat(chat_id, chat, False, retries, call, endpoint)
        chat.waiting += 1
        try:
            async with chat.turn:  # bulk sends to one chat go one at a time, in order
                return await self._send_to_chat(chat_id, chat, True, retries, call, endpoint)
        finally:
            chat.waiting -= 1
