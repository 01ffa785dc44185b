"""A small round-robin HTTP load balancer on 127.0.0.1, in a thread: each request to the next
backend in turn; a backend that does not answer gets a 502 back, as nginx would give."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Sequence

import aiohttp
from aiohttp import web

HOP_BY_HOP = {"host", "content-length", "connection", "transfer-encoding"}


class RoundRobinProxy:
    """Forward each request to the next of `backends` ("http://127.0.0.1:PORT")."""

    def __init__(self, backends: Sequence[str]) -> None:
        self.backends = list(backends)
        self._turns = itertools.count()
        self.forwarded: list[tuple[str, int]] = []  # (backend, status) per request
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        backend = self.backends[next(self._turns) % len(self.backends)]
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        try:
            async with self._session.request(
                request.method,
                backend + request.path_qs,
                data=await request.read(),
                headers=headers,
            ) as answer:
                body = await answer.read()
                self.forwarded.append((backend, answer.status))
                return web.Response(status=answer.status, body=body)
        except (aiohttp.ClientError, OSError, TimeoutError):
            self.forwarded.append((backend, 502))
            return web.Response(status=502, text="Bad Gateway")

    async def _start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def start(self) -> RoundRobinProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
