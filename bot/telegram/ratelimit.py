"""A sliding-window rate limiter: never more than Telegram's 30 messages in any one second."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
JSON = bool | dict[str, Any] | list[dict[str, Any]]


class SlidingWindowLimiter(BaseRateLimiter[int]):
    """Space requests to chats so no window of `period` seconds holds more than `limit`.

    PTB's AIORateLimiter lets a burst of 30 through and then one every 1/30 s, which a strict
    server answers with 429 and a pause; counting each send from when its answer came back keeps
    every window under the limit even with network delay. A 429 still pauses everything.
    """

    def __init__(self, limit: int = 30, period: float = 1.0, max_retries: int = 3) -> None:
        self.limit, self.period, self.max_retries = limit, period, max_retries
        # One cell per send, restamped on answer. Whether a window is full depends only on the
        # newest `limit` sends, so no more are kept, even when only replies come for days.
        self._sent: deque[list[float]] = deque(maxlen=limit)
        self._lock = asyncio.Lock()
        self._resume_at = 0.0

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def _reserve(self) -> list[float]:
        async with self._lock:
            while True:
                now = time.monotonic()
                # At most `limit` cells are kept, so filtering them each time costs little.
                self._sent = deque(
                    (c for c in self._sent if now - c[0] < self.period), maxlen=self.limit
                )
                wait = max(self._resume_at - now, 0.0)
                if not wait and len(self._sent) < self.limit:
                    cell = [now]
                    self._sent.append(cell)
                    return cell
                if not wait:
                    oldest = min(c[0] for c in self._sent)
                    wait = max(self.period - (now - oldest), 0.005)
                await asyncio.sleep(wait)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        """Call Telegram when a slot is free; wait out 429 and retry a few times.

        Only bulk sends (the outbox passes `rate_limit_args`) wait for a slot; a reply to the
        user in front of the bot goes at once but still counts, so bulk sends make room for it.
        """
        limited = data.get("chat_id") is not None
        bulk = rate_limit_args is not None
        retries = rate_limit_args if rate_limit_args is not None else self.max_retries
        for attempt in range(retries + 1):
            cell = None
            if limited and bulk:
                cell = await self._reserve()
            else:
                paused = self._resume_at - time.monotonic()
                if paused > 0:
                    await asyncio.sleep(paused)  # a 429 pauses everything, replies included
                if limited:
                    cell = [time.monotonic()]
                    self._sent.append(cell)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == retries:
                    raise
                value = error.retry_after
                seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
                self._resume_at = time.monotonic() + seconds + 0.1
                log.info("rate limit hit on %s; pausing %.1f s", endpoint, seconds)
            finally:
                if cell is not None:
                    cell[0] = time.monotonic()  # the window counts from Telegram's answer
        raise AssertionError("unreachable")
