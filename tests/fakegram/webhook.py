"""Webhook delivery of the fake: POST each queued update to the URL setWebhook was given.

Like Telegram, an update counts as delivered (and leaves the queue) only on a 2xx answer; any
other answer, or no answer, is noted in getWebhookInfo's last_error_* and tried again after a
pause. One chat's updates go one at a time, in order; different chats' go at once, up to the
webhook's max_connections. The secret token travels in X-Telegram-Bot-Api-Secret-Token.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from tests.fakegram.state import ApiError, Store, bad_request

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
CLOUD_PORTS = (80, 88, 443, 8443)
RETRY_PAUSE = 0.2  # seconds before a refused update is sent again (Telegram waits longer)
REQUEST_TIMEOUT = 30.0  # seconds the fake waits for the webhook to answer
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)


@dataclass
class Webhook:
    """The webhook setWebhook registered."""

    url: str
    secret: str
    max_connections: int
    allowed_updates: list[str] | None
    last_error_date: int = 0
    last_error_message: str = ""


@dataclass
class Delivery:
    """One POST of an update to the webhook and how it was answered."""

    update_id: int
    status: int  # 0: no answer (connection refused, timeout)
    secret_sent: bool = field(default=True)


def check_webhook_url(url: str, *, local: bool) -> None:
    """Refuse a URL Telegram would refuse (a local Bot API server takes http and any port)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    if local:
        return
    if parts.scheme != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if (parts.port or 443) not in CLOUD_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def check_secret(secret: str) -> None:
    """Refuse a secret token with characters Telegram does not allow."""
    if secret and not SECRET_RE.fullmatch(secret):
        raise bad_request("secret token contains unallowed characters")


def chat_of(update: dict[str, Any]) -> int:
    """Return the chat (or user) an update belongs to: its deliveries keep their order."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        message = value.get("message") if "message" in value else value
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            return int(message["chat"]["id"])
        if isinstance(value.get("from"), dict):
            return int(value["from"]["id"])
    return 0


class WebhookSender:
    """Deliver the store's queued updates to its webhook (runs on the fake's event loop)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._in_flight: set[int] = set()  # chats with an update on its way
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._posts: set[asyncio.Task[None]] = set()
        store.update_listeners.append(self.wake)

    async def start(self) -> None:
        """Start delivering (in the fake's loop)."""
        self.loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT))
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop delivering; updates on their way are abandoned (they stay queued)."""
        tasks = [t for t in (self._task, *self._posts) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
        self.loop = None

    def wake(self) -> None:
        """Look for updates to deliver (from any thread)."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self._wake.set)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            self._send_ready()

    def _send_ready(self) -> None:
        with self.store.lock:
            hook = self.store.webhook
            if hook is None:
                return
            busy = set(self._in_flight)
            for update in self.store.updates:
                chat = chat_of(update)
                if chat in busy:
                    continue  # behind an earlier update of its chat
                busy.add(chat)
                if len(self._in_flight) >= hook.max_connections:
                    return
                self._in_flight.add(chat)
                task = asyncio.create_task(self._post(hook, update, chat))
                self._posts.add(task)
                task.add_done_callback(self._posts.discard)

    async def _post(self, hook: Webhook, update: dict[str, Any], chat: int) -> None:
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if hook.secret:
            headers[SECRET_HEADER] = hook.secret
        body = json.dumps(update, ensure_ascii=False).encode()
        status, error = 0, ""
        try:
            async with self._session.post(hook.url, data=body, headers=headers) as response:
                status = response.status
                await response.read()
                error = f"Wrong response from the webhook: {status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError, OSError) as failure:
            error = "Connection refused" if isinstance(failure, OSError) else "Read timeout expired"
        delivered = 200 <= status < 300
        with self.store.lock:
            self.store.deliveries.append(Delivery(update["update_id"], status, bool(hook.secret)))
            if delivered:
                if update in self.store.updates:
                    self.store.updates.remove(update)
            else:
                hook.last_error_date, hook.last_error_message = self.store.now(), error
            self.store.changed()
        if not delivered:
            await asyncio.sleep(RETRY_PAUSE)  # the chat's later updates wait behind this one
        self._in_flight.discard(chat)
        self._wake.set()


def webhook_conflict() -> ApiError:
    """Return getUpdates' answer while a webhook is set."""
    return ApiError(409, WEBHOOK_CONFLICT)
