"""`FakeTelegram`: the fake Bot API server on 127.0.0.1, run in a background thread.

The server runs its own event loop in a daemon thread; the synchronous methods below are safe
to call from any thread (state lives in a `Store` guarded by a condition). See the package
docstring for the whole API.
"""

from __future__ import annotations

import asyncio
import copy
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.fakegram.limits import Fault, Faults, RateLimiter, RateLimits
from tests.fakegram.markup import scope_key
from tests.fakegram.methods import Methods
from tests.fakegram.server import FakeServer
from tests.fakegram.state import Call, CallbackQuery, Store
from tests.fakegram.users import FakeUser
from tests.fakegram.webhook import Delivery, WebhookSender


class FakeTelegram:
    """A strict local Telegram Bot API for tests; start() it, point the bot at api_url."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "guanai_test_bot",
        *,
        bot_name: str = "Guanai Test",
        rate_limits: bool | RateLimits = False,
        strict_ampersand: bool = True,
        clock: Callable[[], Any] = time.time,
    ) -> None:
        bot = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.store = Store(token, bot, clock)
        self.faults = Faults()
        self.methods = Methods(self.store, strict_ampersand=strict_ampersand)
        self.server = FakeServer(self.store, self.methods, self.faults)
        self.webhooks = WebhookSender(self.store)
        self.set_rate_limits(rate_limits)
        self.port = 0
        self._users: dict[int, FakeUser] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        """Start serving on an ephemeral port; return self."""
        if self._loop is not None:
            raise RuntimeError("FakeTelegram is already started")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fakegram", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)
        return self

    async def _serve(self) -> None:
        """Start the aiohttp site (loop thread)."""
        self._runner = web.AppRunner(
            self.server.application(),
            handle_signals=False,
            access_log=None,
            shutdown_timeout=2.0,
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        await self.webhooks.start()

    async def _shutdown(self) -> None:
        """Release long polls and stop the site (loop thread)."""
        self.server.release_polls()
        await self.webhooks.stop()
        await asyncio.sleep(0)
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        """Stop serving: pending long polls return, the loop and thread end."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(15)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()
            self._loop = self._thread = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def token(self) -> str:
        """Return the bot token the fake accepts."""
        return self.store.token

    @property
    def api_url(self) -> str:
        """Return the base URL for PTB (`ApplicationBuilder().base_url(...)`)."""
        if not self.port:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def bot_username(self) -> str:
        """Return the bot's username (without @)."""
        return str(self.store.bot["username"])

    # -- users ---------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        started: bool = True,
    ) -> FakeUser:
        """Return the user with this id, registering the private chat on first use.

        A user registered with started=False is unknown to the bot ("chat not found")
        until they send it something.
        """
        with self.store.cond:
            if user_id in self._users:
                return self._users[user_id]
            fields = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name,
                "last_name": last_name,
                "username": username,
                "language_code": language_code,
            }
            user = {k: v for k, v in fields.items() if v is not None}
            chat = self.store.add_chat(user, started=started)
            self._users[user_id] = FakeUser(self.store, chat)
            return self._users[user_id]

    # -- inspection ----------------------------------------------------------------------

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """Return the bot's command list for a scope (default) and language ("" = all)."""
        with self.store.cond:
            return copy.deepcopy(self.store.commands.get((scope_key(scope), language_code), []))

    def menu_button(self, chat_id: int | None = None) -> dict[str, Any] | None:
        """Return the menu button set for a chat (None = the default one)."""
        with self.store.cond:
            return copy.deepcopy(self.store.menu_buttons.get(chat_id))

    def calls(self, method: str | None = None) -> list[Call]:
        """Return the calls the bot made (of one method, case-insensitive), oldest first."""
        with self.store.cond:
            wanted = method.lower() if method else None
            return [
                c.copy() for c in self.store.calls if wanted is None or c.method.lower() == wanted
            ]

    def call_count(self, method: str | None = None) -> int:
        """Return how many calls the bot made (of one method)."""
        with self.store.cond:
            wanted = method.lower() if method else None
            calls = self.store.calls
            if wanted is None:
                return len(calls)
            return sum(1 for c in calls if c.method.lower() == wanted)

    def error_count(self, code: int | None = None) -> int:
        """Return how many error answers were given (with one error_code)."""
        with self.store.cond:
            errors = self.store.errors
            return sum(errors.values()) if code is None else errors[code]

    def reset_counters(self) -> None:
        """Forget recorded calls and error counts."""
        with self.store.cond:
            self.store.calls.clear()
            self.store.errors.clear()

    def pending_updates(self) -> list[dict[str, Any]]:
        """Return the updates the bot has not confirmed yet."""
        with self.store.cond:
            return copy.deepcopy(self.store.updates)

    def unanswered_callbacks(self) -> list[CallbackQuery]:
        """Return callback queries the bot never answered (the user sees a spinner)."""
        with self.store.cond:
            return [copy.deepcopy(q) for q in self.store.queries.values() if q.answer is None]

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until the bot has confirmed every update (fetched them and polled again)."""
        with self.store.cond:
            if not self.store.cond.wait_for(lambda: not self.store.updates, timeout):
                raise AssertionError(
                    f"the bot left {len(self.store.updates)} update(s) unconfirmed "
                    f"after {timeout}s: {self.store.updates[:3]}"
                )

    def act_as_local_server(self) -> None:
        """Behave like a local Bot API server (`telegram-bot-api --local`): http webhooks on
        any port, such as a test's 127.0.0.1 listener, are accepted."""
        with self.store.cond:
            self.store.local_mode = True

    def webhook_url(self) -> str:
        """Return the URL of the webhook set ("" when updates wait for getUpdates)."""
        with self.store.cond:
            return self.store.webhook.url if self.store.webhook else ""

    def deliveries(self) -> list[Delivery]:
        """Return every POST of an update to the webhook, oldest first."""
        with self.store.cond:
            return list(self.store.deliveries)

    # -- faults and limits ---------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of a method fail with error_code.

        429 answers carry parameters.retry_after (default 1); 502/504 without a
        description answer with a proxy's HTML page, as Telegram's front end does.
        """
        with self.store.cond:
            self.faults.add(method, Fault(error_code, description, retry_after, times))

    def set_delay(self, seconds: float, method: str | None = None) -> None:
        """Delay answers to a method (or to every method) by some seconds."""
        with self.store.cond:
            self.faults.delays[method.lower() if method else None] = seconds

    def set_rate_limits(self, limits: bool | RateLimits | None) -> None:
        """Turn Telegram's flood control on (True or custom RateLimits) or off."""
        with self.store.cond:
            if limits is True:
                limits = RateLimits()
            self.methods.limiter = RateLimiter(limits) if limits else None
