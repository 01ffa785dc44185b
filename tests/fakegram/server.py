"""The HTTP side of the fake Bot API: routing, argument parsing, faults and long polling.

Requests go to `/bot<token>/<method>` (method names are case-insensitive). Arguments may come
in the query string, as JSON, URL-encoded or multipart bodies; like the Bot API server, every
argument is seen as a string (JSON values other than strings are re-encoded as JSON).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiohttp import web

from tests.fakegram.files import serve_file
from tests.fakegram.limits import Faults
from tests.fakegram.methods import Methods
from tests.fakegram.request import Request, Upload
from tests.fakegram.state import ApiError, Call, Store, bad_request, too_large
from tests.fakegram.webhook import webhook_conflict

PATH_RE = re.compile(r"/bot([^/]*)/([^/]*)")
TOKEN_RE = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
LONG_POLL_MAX_TIMEOUT = 50
LONG_POLL_WAIT_AFTER = 0.002
LOGGER = logging.getLogger(__name__)
_dumps = partial(json.dumps, ensure_ascii=False)


@dataclass
class _Poll:
    """A getUpdates request waiting for updates."""

    event: asyncio.Event = field(default_factory=asyncio.Event)
    outcome: str | None = None

    def end(self, outcome: str) -> None:
        """Release the poll with an outcome ("conflict" or "stop")."""
        self.outcome = self.outcome or outcome
        self.event.set()


def ok(result: Any) -> web.Response:
    """Return a successful Bot API answer."""
    return web.json_response({"ok": True, "result": result}, dumps=_dumps)


def fail(error: ApiError) -> web.Response:
    """Return a Bot API error answer; the HTTP status is the error code."""
    body: dict[str, Any] = {
        "ok": False,
        "error_code": error.code,
        "description": error.description,
    }
    if error.parameters:
        body["parameters"] = error.parameters
    return web.json_response(body, status=error.code, dumps=_dumps)


async def read_arguments(request: web.Request) -> tuple[dict[str, str], dict[str, Upload]]:
    """Collect the arguments and uploaded files of a request."""
    args: dict[str, str] = dict(request.query)
    files: dict[str, Upload] = {}
    if not request.body_exists:
        return args, files
    if request.content_type == "application/json":
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            raise bad_request("can't parse JSON encoded request") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON encoded request")
        for name, value in body.items():
            if value is not None:
                args[name] = value if isinstance(value, str) else _dumps(value)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.post()
        except web.HTTPRequestEntityTooLarge:
            raise too_large() from None
        for name, value in form.items():
            if isinstance(value, web.FileField):
                files[name] = Upload(value.filename, value.content_type, value.file.read())
            elif isinstance(value, bytes | bytearray):
                args[name] = bytes(value).decode("utf-8", "replace")
            else:
                args[name] = str(value)
    return args, files


class FakeServer:
    """Serve the Bot API from a `Store` on an aiohttp application."""

    def __init__(self, store: Store, methods: Methods, faults: Faults) -> None:
        self.store = store
        self.methods = methods
        self.faults = faults
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stopping = False
        self._poll: _Poll | None = None
        self._wake_scheduled = False  # set under the store lock
        store.update_listeners.append(self._on_update)

    def application(self) -> web.Application:
        """Build the aiohttp application (call inside the server's event loop)."""
        self.loop = asyncio.get_running_loop()
        self._wake_scheduled = False
        # Above Telegram's own 50 MB upload limit, so the fake answers as Telegram does.
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self.handle)
        return app

    def _on_update(self) -> None:
        """Wake the pending long poll (called from any thread, store lock held).

        A burst of updates schedules one wake-up of the loop, not one per update.
        """
        loop = self.loop
        if loop is None or self.stopping or loop.is_closed() or self._wake_scheduled:
            return
        self._wake_scheduled = True  # before scheduling: _wake may run at once
        try:
            loop.call_soon_threadsafe(self._wake)
        except RuntimeError:  # the loop closed meanwhile
            self._wake_scheduled = False

    def _wake(self) -> None:
        """Wake the pending long poll (loop thread)."""
        # Updates queued from now on schedule another wake-up; those queued before are seen
        # by the poll woken below (no lock needed: a late reset only costs a spare wake-up).
        self._wake_scheduled = False
        if self._poll is not None:
            self._poll.event.set()

    def release_polls(self) -> None:
        """End the pending long poll with an empty result (shutting down)."""
        self.stopping = True
        if self._poll is not None:
            self._poll.end("stop")

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one Bot API request."""
        if request.path.startswith("/file/"):
            return serve_file(self.store, request.path)
        match = PATH_RE.fullmatch(request.path)
        if match is None:
            return fail(ApiError(404, "Not Found"))
        token, name = match.groups()
        if token != self.store.token:
            if TOKEN_RE.fullmatch(token):
                return fail(ApiError(401, "Unauthorized"))
            return fail(ApiError(404, "Not Found"))
        method = self.methods.names.get(name.lower())
        call = Call(method or name, {}, {}, time.time())
        try:
            if method is None:
                raise ApiError(404, "Not Found")
            call.args, files = await read_arguments(request)
            call.files = {key: upload.filename or "" for key, upload in files.items()}
            delay = self.faults.delay(method)
            if delay:
                await asyncio.sleep(delay)
            with self.store.cond:
                fault = self.faults.take(method)
            if fault is not None:
                html = fault.html()
                if html is not None:
                    call.error_code, call.description = fault.code, "(HTML page)"
                    return web.Response(status=fault.code, text=html, content_type="text/html")
                raise fault.error()
            query = Request(method, call.args, files)
            if method == "getUpdates":
                return ok(await self.get_updates(query))
            return ok(self.methods.call(query))
        except ApiError as error:
            call.error_code, call.description = error.code, error.description
            return fail(error)
        except Exception as bug:  # a fault of the fake itself: answer so the test sees it
            LOGGER.exception("fakegram failed on %s", call.method)
            call.error_code, call.description = 500, f"Internal Server Error: fakegram: {bug!r}"
            return fail(ApiError(500, call.description))
        finally:
            self.store.record(call)

    async def get_updates(self, request: Request) -> list[dict[str, Any]]:
        """Return pending updates, long-polling up to `timeout` seconds for new ones."""
        if self.store.webhook is not None:
            raise webhook_conflict()
        offset = request.int_arg("offset")
        limit = request.int_arg("limit") if request.arg("limit") else 100
        limit = min(max(limit, 1), 100)
        timeout = min(max(request.int_arg("timeout"), 0), LONG_POLL_MAX_TIMEOUT)
        self.store.set_allowed_updates(request.arg("allowed_updates"))
        updates = self.store.take_updates(offset, limit)
        if updates or timeout == 0 or self.stopping:
            return updates
        if self._poll is not None:
            self._poll.end("conflict")
        poll = self._poll = _Poll()
        assert self.loop is not None
        deadline = self.loop.time() + timeout
        try:
            while True:
                remaining = deadline - self.loop.time()
                if remaining <= 0:
                    return self.store.take_updates(offset, limit)
                try:
                    await asyncio.wait_for(poll.event.wait(), remaining)
                except TimeoutError:
                    return self.store.take_updates(offset, limit)
                if poll.outcome == "conflict":
                    raise ApiError(409, CONFLICT)
                if poll.outcome == "stop":
                    return []
                poll.event.clear()
                await asyncio.sleep(LONG_POLL_WAIT_AFTER)
                updates = self.store.take_updates(offset, limit)
                if updates:
                    return updates
        finally:
            if self._poll is poll:
                self._poll = None
