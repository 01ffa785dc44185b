"""Rate limits (Telegram's flood control) and injected faults for the fake Bot API."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from tests.fakegram.state import ApiError, monotonic

SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
}


@dataclass(frozen=True)
class RateLimits:
    """Sliding-window limits: (count, seconds) per chat and over all chats.

    The default is Telegram's documented limits taken strictly: one message a second to a chat
    and 30 a second overall (Telegram itself lets a short burst to one chat through). A send
    over either limit is refused with 429 and the whole seconds until the window has room.
    """

    per_chat: tuple[int, float] = (1, 1.0)
    overall: tuple[int, float] = (30, 1.0)
    methods: frozenset[str] = SEND_METHODS


def too_many_requests(retry_after: int) -> ApiError:
    """Return the 429 error Telegram sends, with parameters.retry_after."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


class RateLimiter:
    """Count sends in sliding windows and refuse those over the limits."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._chats: dict[int, deque[float]] = {}
        self._all: deque[float] = deque()

    @staticmethod
    def _retry(window: deque[float], limit: tuple[int, float], now: float) -> int:
        """Drop expired entries; return seconds to wait, or 0 when under the limit."""
        count, seconds = limit
        while window and window[0] <= now - seconds:
            window.popleft()
        if len(window) < count:
            return 0
        return max(1, math.ceil(window[0] + seconds - now))

    def check(self, method: str, chat_id: int) -> None:
        """Record one send to chat_id, or raise a 429 error if it is over a limit."""
        if method not in self.limits.methods:
            return
        now = monotonic()
        chat = self._chats.setdefault(chat_id, deque())
        wait = max(
            self._retry(chat, self.limits.per_chat, now),
            self._retry(self._all, self.limits.overall, now),
        )
        if wait:
            raise too_many_requests(wait)
        chat.append(now)
        self._all.append(now)


@dataclass
class Fault:
    """A failure to answer instead of the next calls of a method."""

    code: int
    description: str | None = None
    retry_after: int | None = None
    times: int = 1

    def html(self) -> str | None:
        """Return the HTML page a proxy would answer with, or None for a JSON error."""
        if self.code in (502, 504) and self.description is None:
            return BAD_GATEWAY_HTML.replace("502 Bad Gateway", _gateway(self.code))
        return None

    def error(self) -> ApiError:
        """Return the JSON error of the failure answer."""
        if self.code == 429:
            retry = self.retry_after if self.retry_after is not None else 1
            error = too_many_requests(retry)
            if self.description:
                error.description = self.description
            return error
        description = self.description or DEFAULT_DESCRIPTIONS.get(self.code, "Error")
        parameters = {"retry_after": self.retry_after} if self.retry_after else None
        return ApiError(self.code, description, parameters)


def _gateway(code: int) -> str:
    """Return the status line text of a proxy error."""
    return "502 Bad Gateway" if code == 502 else "504 Gateway Time-out"


@dataclass
class Faults:
    """Pending injected failures and artificial delays, by canonical method name."""

    pending: dict[str, deque[Fault]] = field(default_factory=dict)
    delays: dict[str | None, float] = field(default_factory=dict)

    def add(self, method: str, fault: Fault) -> None:
        """Queue a fault for the next calls of a method."""
        self.pending.setdefault(method.lower(), deque()).append(fault)

    def take(self, method: str) -> Fault | None:
        """Consume one use of the first pending fault of a method."""
        queue = self.pending.get(method.lower())
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.popleft()
        return fault

    def delay(self, method: str) -> float:
        """Return the artificial delay before answering a method."""
        return self.delays.get(method.lower(), self.delays.get(None, 0.0))
