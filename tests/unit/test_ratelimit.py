"""The sliding-window limiter keeps every window under the limit and waits out 429."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from telegram.error import RetryAfter

from bot.telegram.ratelimit import FloodLimiter


def test_limiter__burst_of_bulk_sends__no_window_holds_more_than_the_limit() -> None:
    limiter = FloodLimiter(limit=10, period=0.2)
    answered: list[float] = []

    async def send() -> bool:
        answered.append(time.monotonic())
        return True

    async def main() -> None:
        await asyncio.gather(
            *(
                limiter.process_request(send, (), {}, "sendMessage", {"chat_id": i}, 3)
                for i in range(35)
            )
        )

    asyncio.run(main())
    assert len(answered) == 35
    for start in answered:
        assert sum(1 for t in answered if start <= t < start + 0.2) <= 10


def test_limiter__retry_after__waits_then_succeeds() -> None:
    limiter = FloodLimiter(limit=30, period=1.0, max_retries=2)
    calls: list[float] = []

    async def flaky() -> Any:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RetryAfter(1)
        return {"ok": True}

    result = asyncio.run(
        limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, None)
    )
    assert result == {"ok": True}
    assert calls[1] - calls[0] >= 1.0


def test_limiter__requests_without_a_chat__not_counted() -> None:
    limiter = FloodLimiter(limit=1, period=10.0)

    async def call() -> bool:
        return True

    async def main() -> list[Any]:
        return await asyncio.gather(
            *(limiter.process_request(call, (), {}, "getUpdates", {}, None) for _ in range(5))
        )

    started = time.monotonic()
    assert asyncio.run(main()) == [True] * 5
    assert time.monotonic() - started < 1.0


def test_limiter__replies_to_users__go_at_once_and_make_bulk_sends_wait() -> None:
    limiter = FloodLimiter(limit=5, period=0.5)
    answered: list[tuple[str, float]] = []

    def sender(kind: str) -> Any:
        async def send() -> bool:
            answered.append((kind, time.monotonic()))
            return True

        return send

    async def main() -> None:
        started = time.monotonic()
        await asyncio.gather(
            *(
                limiter.process_request(
                    sender("reply"), (), {}, "sendMessage", {"chat_id": i}, None
                )
                for i in range(8)
            )
        )
        assert time.monotonic() - started < 0.2  # replies are never held back
        await limiter.process_request(sender("bulk"), (), {}, "sendMessage", {"chat_id": 99}, 3)

    asyncio.run(main())
    replies_done = max(t for kind, t in answered if kind == "reply")
    bulk_at = next(t for kind, t in answered if kind == "bulk")
    assert bulk_at - replies_done >= 0.4  # the window was full of replies


def test_limiter__days_of_replies_only__keeps_no_more_than_the_limit() -> None:
    limiter = FloodLimiter(limit=30, period=1.0)

    async def send() -> bool:
        return True

    async def main() -> None:
        for i in range(1_000):
            await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": i}, None)

    asyncio.run(main())
    assert len(limiter._sent) <= 30
