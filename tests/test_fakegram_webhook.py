"""The fake Bot API delivers updates by webhook as Telegram does: secret header, retries, 409s."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from tests.fakegram import FakeTelegram
from tests.test_fakegram import Api, make_api


class Receiver:
    """A webhook endpoint in a thread: answers with `status` and keeps what it received."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        self.received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response(status=self.status)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def start(self) -> Receiver:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def api(fake: FakeTelegram) -> Iterator[Api]:
    client, call = make_api(fake)
    with client:
        yield call


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    endpoint = Receiver().start()
    yield endpoint
    endpoint.stop()


def wait_until(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def test_set_webhook__http_or_odd_port__refused_as_by_telegram(
    fake: FakeTelegram, api: Api
) -> None:
    body = api("setWebhook", url="http://example.org/hook")
    assert (
        body["description"] == "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    )
    body = api("setWebhook", url="https://example.org:9999/hook")
    assert "ports 80, 88, 443 or 8443" in body["description"]
    body = api("setWebhook", url="https://example.org/hook", secret_token="no spaces")
    assert body["description"] == "Bad Request: secret token contains unallowed characters"
    assert api("getWebhookInfo")["result"]["url"] == ""


def test_webhook__updates_posted_with_secret__getupdates_conflicts(
    fake: FakeTelegram, api: Api, receiver: Receiver
) -> None:
    fake.act_as_local_server()
    assert api("setWebhook", url=receiver.url, secret_token="s3cret_-X")["ok"]
    user = fake.user(1001)
    user.send("你好")
    wait_until(lambda: len(receiver.received) == 1)
    update, secret = receiver.received[0]
    assert update["message"]["text"] == "你好" and secret == "s3cret_-X"
    fake.wait_idle()  # a 200 confirms it
    body = api("getUpdates")
    assert body["error_code"] == 409 and "webhook is active" in body["description"]
    info = api("getWebhookInfo")["result"]
    assert info["url"] == receiver.url and info["pending_update_count"] == 0
    assert api("deleteWebhook")["ok"]
    user.send("再见")
    assert [u["message"]["text"] for u in api("getUpdates")["result"]] == ["再见"]


def test_webhook__non_2xx__retried_in_order_and_error_reported(
    fake: FakeTelegram, api: Api, receiver: Receiver
) -> None:
    fake.act_as_local_server()
    receiver.status = 503
    api("setWebhook", url=receiver.url, secret_token="abc")
    user = fake.user(1001)
    user.send("一")
    user.send("二")
    wait_until(lambda: len(receiver.received) >= 3)
    # Only the first update is tried while it is refused: the chat's order holds.
    assert {u["message"]["text"] for u, _ in receiver.received} == {"一"}
    info = api("getWebhookInfo")["result"]
    assert info["pending_update_count"] == 2
    assert info["last_error_message"] == "Wrong response from the webhook: 503 Service Unavailable"
    receiver.status = 200
    fake.wait_idle()
    texts = [u["message"]["text"] for u, _ in receiver.received]
    assert texts[-2:] == ["一", "二"]
    assert [d.status for d in fake.deliveries()][-2:] == [200, 200]


def test_webhook__unreachable__updates_kept(fake: FakeTelegram, api: Api) -> None:
    fake.act_as_local_server()
    api("setWebhook", url="http://127.0.0.1:9/hook")
    fake.user(1001).send("你好")
    wait_until(lambda: len(fake.deliveries()) >= 2)
    assert all(d.status == 0 for d in fake.deliveries())
    assert len(fake.pending_updates()) == 1
    assert api("getWebhookInfo")["result"]["last_error_message"] == "Connection refused"
