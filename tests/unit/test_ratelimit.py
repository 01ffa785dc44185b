"""The sliding-window limiter keeps every window under the limit and waits out 429."""

from __future__ import annotations

import asyncio
import contextlib
import time
from itertools import pairwise
from typing import Any

from telegram.error import RetryAfter

from bot.telegram.ratelimit import FloodLimiter, retry_after_seconds


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


def recorder(log: list[tuple[Any, float]], label: Any, fail_first: int | None = None) -> Any:
    """A Telegram call that records when it was answered; the first one may be a 429."""
    tries = {"n": 0}

    async def send() -> bool:
        tries["n"] += 1
        if fail_first is not None and tries["n"] == 1:
            raise RetryAfter(fail_first)
        log.append((label, time.monotonic()))
        return True

    return send


def test_limiter__429_for_one_chat__replies_to_other_people_go_at_once() -> None:
    limiter = FloodLimiter(limit=30, period=1.0)
    answered: list[tuple[Any, float]] = []

    async def main() -> float:
        flooded = asyncio.create_task(
            limiter.process_request(
                recorder(answered, "flooded", fail_first=2),
                (),
                {},
                "sendMessage",
                {"chat_id": 1},
                3,
            )
        )
        await asyncio.sleep(0.05)  # the 429 came back; chat 1 now waits two seconds
        started = time.monotonic()
        for chat in range(2, 7):
            await limiter.process_request(
                recorder(answered, chat), (), {}, "sendMessage", {"chat_id": chat}, None
            )
        await flooded
        return started

    started = asyncio.run(main())
    replies = [at for label, at in answered if label != "flooded"]
    assert len(replies) == 5 and max(replies) - started < 0.2
    [flooded_at] = [at for label, at in answered if label == "flooded"]
    assert flooded_at - started >= 1.9  # chat 1 waited out its own retry_after


def test_limiter__reply_to_the_chat_backing_off__waits_for_its_back_off() -> None:
    limiter = FloodLimiter(limit=30, period=1.0)
    answered: list[tuple[Any, float]] = []

    async def main() -> float:
        with contextlib.suppress(RetryAfter):
            await limiter.process_request(
                recorder(answered, "bulk", fail_first=1), (), {}, "sendMessage", {"chat_id": 1}, 0
            )
        started = time.monotonic()
        await limiter.process_request(
            recorder(answered, "reply"), (), {}, "sendMessage", {"chat_id": 1}, None
        )
        return started

    started = asyncio.run(main())
    assert [label for label, _ in answered] == ["reply"]
    assert answered[0][1] - started >= 0.9  # sent at once it would only draw another 429


def test_limiter__bulk_to_one_chat__spaced_and_in_the_order_they_came() -> None:
    limiter = FloodLimiter(limit=30, period=1.0, spacing=0.2)
    answered: list[tuple[Any, float]] = []

    async def main() -> None:
        await asyncio.gather(
            *(
                limiter.process_request(
                    recorder(answered, n), (), {}, "sendMessage", {"chat_id": 7}, 3
                )
                for n in range(6)
            )
        )

    asyncio.run(main())
    assert [label for label, _ in answered] == list(range(6))
    gaps = [b - a for (_, a), (_, b) in pairwise(answered)]
    assert min(gaps) >= 0.19


def test_limiter__bulk_to_many_chats__not_spaced_by_each_other() -> None:
    limiter = FloodLimiter(limit=30, period=1.0, spacing=1.0)
    answered: list[tuple[Any, float]] = []

    async def main() -> None:
        await asyncio.gather(
            *(
                limiter.process_request(
                    recorder(answered, n), (), {}, "sendMessage", {"chat_id": n}, 3
                )
                for n in range(20)
            )
        )

    started = time.monotonic()
    asyncio.run(main())
    assert len(answered) == 20 and time.monotonic() - started < 0.3


def test_limiter__group_chat__bulk_spaced_for_twenty_a_minute() -> None:
    limiter = FloodLimiter(limit=30, period=1.0, spacing=0.05, group_spacing=0.3)
    answered: list[tuple[Any, float]] = []

    async def main() -> None:
        for n in range(3):
            await limiter.process_request(
                recorder(answered, n), (), {}, "sendMessage", {"chat_id": -100123}, 3
            )

    asyncio.run(main())
    assert answered[2][1] - answered[0][1] >= 0.59


def test_limiter__bulk_to_a_chat_backing_off_long__refused_at_once_others_go_on() -> None:
    limiter = FloodLimiter(limit=30, period=1.0, max_bulk_wait=5.0)
    answered: list[tuple[Any, float]] = []
    calls = {"n": 0}

    async def long_429() -> bool:
        calls["n"] += 1
        raise RetryAfter(30)

    async def main() -> list[BaseException | Any]:
        first = limiter.process_request(long_429, (), {}, "sendMessage", {"chat_id": 1}, 3)
        second = limiter.process_request(
            recorder(answered, "same chat"), (), {}, "sendMessage", {"chat_id": 1}, 3
        )
        other = limiter.process_request(
            recorder(answered, "other"), (), {}, "sendMessage", {"chat_id": 2}, 3
        )
        return await asyncio.gather(first, second, other, return_exceptions=True)

    started = time.monotonic()
    first, second, other = asyncio.run(main())
    assert time.monotonic() - started < 0.5  # nobody sat out the 30 seconds
    assert isinstance(first, RetryAfter) and calls["n"] == 1  # not retried within the limiter
    assert isinstance(second, RetryAfter) and retry_after_seconds(second) >= 29
    assert other is True and [label for label, _ in answered] == ["other"]


def test_limiter__burst_of_bulk_sends__leaves_a_slot_in_each_window_for_a_reply() -> None:
    limiter = FloodLimiter(limit=5, period=0.5, reply_reserve=1)
    answered: list[tuple[Any, float]] = []

    async def main() -> None:
        await asyncio.gather(
            *(
                limiter.process_request(
                    recorder(answered, n), (), {}, "sendMessage", {"chat_id": n}, 3
                )
                for n in range(8)
            )
        )

    asyncio.run(main())
    times = [at for _, at in answered]
    for start in times:
        assert sum(1 for t in times if start <= t < start + 0.5) <= 4  # one of 5 kept free


def test_limiter__thousands_of_chats_talked_to__idle_ones_forgotten() -> None:
    limiter = FloodLimiter(limit=30, period=1.0, spacing=0.001, forget_after=100)

    async def send() -> bool:
        return True

    async def main() -> None:
        for chat in range(2_000):
            await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": chat}, None)
            await asyncio.sleep(0.0001 if chat % 100 else 0.01)

    asyncio.run(main())
    assert len(limiter._chats) <= 200
