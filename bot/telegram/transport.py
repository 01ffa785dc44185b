"""Bot API calls over aiohttp, whose C HTTP parser costs far less CPU per call than httpx.

Directors in mainland China reach Telegram only through a proxy: an explicit one
(TELEGRAM_PROXY_URL), else the one the environment names (HTTPS_PROXY / HTTP_PROXY by the URL's
scheme, then ALL_PROXY; NO_PROXY exempts hosts). The environment is read once per URL rather
than on every call, as aiohttp's `trust_env` would (a thread hop and an environment scan each).
"""

from __future__ import annotations

import logging
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


def _seconds(value: Any, default: float | None) -> float | None:
    """A timeout PTB passed, or ours when it passed its 'use the default' marker."""
    return default if value is BaseRequest.DEFAULT_NONE else value


JSON_HEADERS = {"Content-Type": "application/json"}
PROXY_SCHEMES = ("http", "https")

log = logging.getLogger(__name__)


def proxy_from_environment(url: str) -> str | None:
    """Return the proxy the environment names for `url`, or None to connect directly."""
    host = urlsplit(url).hostname or ""
    proxies = urllib.request.getproxies_environment()
    if host and urllib.request.proxy_bypass(host):
        return None
    scheme = urlsplit(url).scheme
    named = proxies.get(scheme) or proxies.get("all")
    if not named:
        return None
    if "://" not in named:
        named = f"http://{named}"  # `127.0.0.1:7890`, as curl reads it
    if urlsplit(named).scheme not in PROXY_SCHEMES:
        # aiohttp speaks to http(s) proxies only; most local proxies (Clash, v2rayN) offer one.
        log.warning(
            "ignoring the environment's %s proxy: only http(s) proxies are supported",
            urlsplit(named).scheme,
        )
        return None
    return named


def _body(request_data: RequestData | None) -> Any:
    """A JSON object of PTB's parameters; multipart form fields only when files go along.

    The Bot API takes JSON bodies, and object fields in them given as JSON strings, which is
    how PTB holds them. Encoding JSON is one C call; URL-encoding Chinese text byte by byte
    cost three times as much.
    """
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_payload
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form


class AiohttpRequest(BaseRequest):
    """A python-telegram-bot request backend on one aiohttp session with a bounded pool."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 64,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        proxy_url: str | None = None,
    ) -> None:
        self._pool_size = connection_pool_size
        # An explicit proxy serves every URL; otherwise each URL's is looked up once.
        # Credentials in a proxy URL (http://user:password@host) go as Proxy-Authorization.
        self._proxy = proxy_url or None
        self._proxy_of_url: dict[str, str | None] = {}
        self._read, self._write, self._connect = read_timeout, write_timeout, connect_timeout
        self._pool, self._media_write = pool_timeout, media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        """Open the session (a no-op when it is open)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _proxy_for(self, url: str) -> str | None:
        if self._proxy is not None:
            return self._proxy
        try:
            return self._proxy_of_url[url]
        except KeyError:
            proxy = self._proxy_of_url[url] = proxy_from_environment(url)
            return proxy

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the status and the body, or raise PTB's network errors."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        write = _seconds(write_timeout, self._media_write if files else self._write)
        connect = _seconds(connect_timeout, self._connect)
        pool = _seconds(pool_timeout, self._pool)
        read = _seconds(read_timeout, self._read)
        timeout = aiohttp.ClientTimeout(
            # aiohttp's `connect` covers waiting for a pooled connection and opening one.
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            # A read timeout that also bounds sending the body: aiohttp has no write timeout.
            sock_read=None if read is None else read + (write or 0.0),
        )
        try:
            body = _body(request_data)
            headers = JSON_HEADERS if isinstance(body, bytes) else None
            async with self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                proxy=self._proxy_for(url),
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
