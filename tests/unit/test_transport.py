"""The aiohttp backend speaks to a Bot API server the way PTB's own httpx backend does."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram.transport import AiohttpRequest, proxy_from_environment
from tests.support.proxy import ForwardingProxy

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def with_server(received: dict[str, Any], work: Any, **request_options: Any) -> Any:
    async def endpoint(request: web.Request) -> web.Response:
        received["content_type"] = request.content_type
        if request.content_type == "application/json":
            received.update(await request.json())
            return web.json_response({"ok": True, "result": True})
        form = await request.post()
        for name, value in form.items():
            # Uploaded files are closed when the handler returns: keep name and bytes.
            is_file = isinstance(value, web.FileField)
            received[name] = (value.filename, value.file.read()) if is_file else value
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/bot/sendDocument", endpoint)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    request = AiohttpRequest(**request_options)
    await request.initialize()
    try:
        return await work(request, f"http://127.0.0.1:{port}/bot/sendDocument")
    finally:
        await request.shutdown()
        await runner.cleanup()


def data(*parameters: tuple[str, object]) -> RequestData:
    return RequestData([RequestParameter.from_input(name, value) for name, value in parameters])


def test_request__text_parameters__sent_as_json_with_objects_as_json_strings() -> None:
    received: dict[str, Any] = {}

    async def work(request: AiohttpRequest, url: str) -> tuple[int, bytes]:
        body = data(("chat_id", 42), ("text", "你好"), ("reply_markup", {"inline_keyboard": []}))
        return await request.do_request(url, "POST", body)

    status, payload = asyncio.run(with_server(received, work))
    assert status == 200 and b'"ok": true' in payload
    assert received["content_type"] == "application/json"
    assert received["chat_id"] == "42" and received["text"] == "你好"
    assert received["reply_markup"] == '{"inline_keyboard": []}'


def test_request__a_file__sent_as_multipart_with_its_name() -> None:
    received: dict[str, Any] = {}

    async def work(request: AiohttpRequest, url: str) -> tuple[int, bytes]:
        document = InputFile(b"name,tier\n", filename="children.csv")
        return await request.do_request(url, "POST", data(("chat_id", 7), ("document", document)))

    status, _ = asyncio.run(with_server(received, work))
    assert status == 200 and received["content_type"] == "multipart/form-data"
    assert received["chat_id"] == "7"
    assert received["document"] == ("children.csv", b"name,tier\n")


def test_request__nobody_listening__network_error() -> None:
    async def work() -> None:
        request = AiohttpRequest()
        await request.initialize()
        try:
            await request.do_request(f"http://127.0.0.1:{free_port()}/bot/getMe", "POST")
        finally:
            await request.shutdown()

    with pytest.raises(NetworkError):
        asyncio.run(work())


def test_request__before_initialize__refused() -> None:
    with pytest.raises(RuntimeError):
        asyncio.run(AiohttpRequest().do_request("http://127.0.0.1:1/bot/getMe", "POST"))


# --- proxies -----------------------------------------------------------------------------


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    forwarding = ForwardingProxy().start()
    yield forwarding
    forwarding.stop()


async def send_hello(request: AiohttpRequest, url: str) -> tuple[int, bytes]:
    return await request.do_request(url, "POST", data(("chat_id", 42), ("text", "你好")))


def test_request__explicit_proxy__sent_through_it(proxy: ForwardingProxy) -> None:
    received: dict[str, Any] = {}
    status, _ = asyncio.run(with_server(received, send_hello, proxy_url=proxy.url))
    assert status == 200 and received["text"] == "你好"
    assert proxy.paths() == ["/bot/sendDocument"]
    assert proxy.requests[0].line.startswith("POST http://127.0.0.1:")


def test_request__explicit_proxy_with_password__credentials_in_a_header_not_the_url(
    proxy: ForwardingProxy,
) -> None:
    with_password = proxy.url.replace("http://", "http://director:s3cret@")
    asyncio.run(with_server({}, send_hello, proxy_url=with_password))
    (forwarded,) = proxy.requests
    assert forwarded.headers["proxy-authorization"] == "Basic ZGlyZWN0b3I6czNjcmV0"
    assert "s3cret" not in forwarded.line


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "ALL_PROXY", "all_proxy"])
def test_request__proxy_in_the_environment__sent_through_it(
    proxy: ForwardingProxy, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, proxy.url)
    received: dict[str, Any] = {}
    status, _ = asyncio.run(with_server(received, send_hello))
    assert status == 200 and received["text"] == "你好"
    assert proxy.paths() == ["/bot/sendDocument"]


def test_request__host_in_no_proxy__sent_directly(
    proxy: ForwardingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALL_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    received: dict[str, Any] = {}
    status, _ = asyncio.run(with_server(received, send_hello))
    assert status == 200 and received["text"] == "你好"
    assert proxy.requests == []


def test_request__socks_proxy_in_the_environment__warned_and_sent_directly(
    proxy: ForwardingProxy, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")
    received: dict[str, Any] = {}
    status, _ = asyncio.run(with_server(received, send_hello))
    assert status == 200 and received["text"] == "你好"
    assert "only http(s) proxies" in caplog.text


def test_proxy_from_environment__telegram_over_https__https_proxy_then_all_proxy(
    proxy: ForwardingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = "https://api.telegram.org/bot123:abc/getMe"
    assert proxy_from_environment(api) is None
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:7890")
    assert proxy_from_environment(api) == "http://127.0.0.1:7890"
    monkeypatch.setenv("HTTPS_PROXY", "127.0.0.1:7891")
    assert proxy_from_environment(api) == "http://127.0.0.1:7891"
    monkeypatch.setenv("NO_PROXY", ".telegram.org")
    assert proxy_from_environment(api) is None
