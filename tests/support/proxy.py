"""A small forwarding HTTP proxy on 127.0.0.1, in a thread, that records what passes through."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class ProxiedRequest:
    """One request the proxy forwarded: its request line and its headers (lower-case names)."""

    line: str
    headers: dict[str, str] = field(default_factory=dict)


class ForwardingProxy:
    """Forward plain-HTTP requests (absolute-form, as clients send to a proxy) to their origin.

    Each client connection is joined to one upstream connection opened for its first request;
    the client's later keep-alive requests go the same way and are recorded too.
    """

    def __init__(self) -> None:
        self.requests: list[ProxiedRequest] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ForwardingProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._client, "127.0.0.1", 0), self._loop
        ).result(5)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 1)

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def paths(self) -> list[str]:
        """The paths of the forwarded requests, in order."""
        return [urlsplit(r.line.split()[1]).path for r in self.requests]

    async def _read_head(self, reader: asyncio.StreamReader) -> tuple[str, list[bytes]] | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        line, *header_lines = head[:-4].split(b"\r\n")
        return line.decode("latin-1"), header_lines

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        pump: asyncio.Task[None] | None = None
        try:
            while (head := await self._read_head(reader)) is not None:
                line, header_lines = head
                method, target, version = line.split(" ", 2)
                headers = {}
                for raw in header_lines:
                    name, _, value = raw.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                self.requests.append(ProxiedRequest(line, headers))
                origin = urlsplit(target)
                if upstream is None:
                    upstream = await asyncio.open_connection(origin.hostname, origin.port or 80)
                    pump = asyncio.create_task(self._pump(upstream[0], writer))
                path = origin.path + (f"?{origin.query}" if origin.query else "")
                kept = [h for h in header_lines if not h.lower().startswith(b"proxy-")]
                upstream[1].write(
                    f"{method} {path} {version}\r\n".encode("latin-1")
                    + b"".join(h + b"\r\n" for h in kept)
                    + b"\r\n"
                )
                length = int(headers.get("content-length", "0"))
                if length:
                    upstream[1].write(await reader.readexactly(length))
                await upstream[1].drain()
        finally:
            if pump is not None:
                pump.cancel()
            if upstream is not None:
                upstream[1].close()
            writer.close()

    @staticmethod
    async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
        sink.close()
