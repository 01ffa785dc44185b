"""The webhook receiver: Telegram POSTs each update; it is in the inbox before the 200 goes back.

Telegram keeps an update and tries again until it gets a 2xx answer, so the answer waits for
the inbox row to be committed: a database that is down gets a 503 and the update stays with
Telegram. A request without the secret token setWebhook was given is refused (401) and not
stored; one Telegram sends twice (same update_id) is answered 200 and stored once.
"""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.settings import Settings
from bot.telegram.inbox import Inbox
from storage.db import is_unavailable

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # bytes; an update is far smaller


class WebhookReceiver:
    """Serve WEBHOOK_LISTEN: store each update Telegram POSTs to the webhook's path."""

    def __init__(self, inbox: Inbox, settings: Settings) -> None:
        self.inbox = inbox
        self.secret = settings.webhook_secret.encode()
        self.path = urlsplit(settings.webhook_url).path or "/"
        self.host, self.port = settings.webhook_host_port
        self._runner: web.AppRunner | None = None

    def application(self) -> web.Application:
        """Build the aiohttp application."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path, self.receive)
        return app

    async def start(self) -> None:
        """Listen on WEBHOOK_LISTEN."""
        self._runner = web.AppRunner(self.application(), access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("webhook receiver listening on %s:%d%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        """Stop listening; requests in flight finish first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def receive(self, request: web.Request) -> web.Response:
        """Store one update; 200 once it is committed, 401 without the secret, 503 if the
        database is out of reach."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return web.Response(status=401, text="Unauthorized")
        try:
            body = await request.read()
            data = json.loads(body)
            update = Update.de_json(data, self.inbox.application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="Bad Request")
        if update is None or not isinstance(data, dict) or "update_id" not in data:
            return web.Response(status=400, text="Bad Request")
        try:
            await self.inbox.take_in([update], payloads=[body.decode()])
        except Exception as error:
            if is_unavailable(error):
                log.warning("database unavailable: update %s stays with Telegram", update.update_id)
                return web.Response(status=503, text="Service Unavailable")
            log.exception("could not store update %s", update.update_id)
            return web.Response(status=500, text="Internal Server Error")
        return web.Response(status=200)
