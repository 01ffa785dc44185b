"""Updates by webhook: only Telegram (with the secret) is heard, each update stored once, then
answered from the inbox as with long polling."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.settings import Settings
from bot.telegram.webhook_admin import delete_webhook, set_webhook, webhook_info
from storage import inbox_queries
from storage.db import Database
from storage.inbox_models import InboxUpdate
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.clock import FakeClock
from tests.support.seed import VILLAGE, invite

SECRET = "guanai-webhook_secret-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def hook_settings(fake: FakeTelegram, make_settings: Callable[..., Settings]) -> Settings:
    fake.act_as_local_server()  # the fake calls http://127.0.0.1, as a local Bot API server may
    port = free_port()
    return make_settings(
        telegram_api_url=fake.api_url,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_listen=f"127.0.0.1:{port}",
        webhook_secret=SECRET,
    )


@pytest.fixture
def hook_bot(hook_settings: Settings, clock: FakeClock, region: Database) -> Iterator[BotThread]:
    runner = BotThread(hook_settings, clock=clock).start()
    asyncio.run(set_webhook(hook_settings))
    yield runner
    runner.stop()


def stored(db: Database) -> list[InboxUpdate]:
    return list(db.call(lambda s: s.exec(select(InboxUpdate)).all()))


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def an_update(update_id: int) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": 4242, "type": "private", "first_name": "陌生人"},
            "from": {"id": 4242, "is_bot": False, "first_name": "陌生人"},
            "text": "你好",
        },
    }


def test_webhook__director_enrols__answered_through_the_webhook(
    fake: FakeTelegram, region: Database, hook_bot: BotThread, hook_settings: Settings
) -> None:
    issued = invite(region, "director", VILLAGE, name="王芳")
    user = fake.user(1001, first_name="王芳")
    user.send(f"/start {issued.code}")
    user.wait_for_text("欢迎您", timeout=20)
    user.send("新建档案")
    user.wait_for_text("请输入儿童姓名", timeout=20)
    assert fake.deliveries() and all(d.status == 200 for d in fake.deliveries())
    assert fake.call_count("getUpdates") == 0
    wait_until(lambda: {row.state for row in stored(region)} == {"done"})
    info = dict(asyncio.run(webhook_info(hook_settings)))
    assert info["url"] == hook_settings.webhook_url
    assert info["allowed_updates"] == "message,callback_query"


def test_webhook__request_without_the_secret__401_and_nothing_stored(
    region: Database, hook_bot: BotThread, hook_settings: Settings
) -> None:
    body = json.dumps(an_update(77)).encode()
    with httpx.Client(timeout=10) as client:
        none = client.post(hook_settings.webhook_url, content=body)
        wrong = client.post(
            hook_settings.webhook_url,
            content=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET[:-1] + "x"},
        )
    assert (none.status_code, wrong.status_code) == (401, 401)
    assert stored(region) == []


def test_webhook__same_update_twice__200_both_times_and_stored_once(
    fake: FakeTelegram, region: Database, hook_bot: BotThread, hook_settings: Settings
) -> None:
    fake.user(4242)  # the chat exists, so the bot can answer the stranger
    body = json.dumps(an_update(78)).encode()
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    with httpx.Client(timeout=10) as client:
        first = client.post(hook_settings.webhook_url, content=body, headers=headers)
        again = client.post(hook_settings.webhook_url, content=body, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert [row.update_id for row in stored(region)] == [78]


def test_webhook__deleted__updates_wait_for_polling_again(
    fake: FakeTelegram, hook_bot: BotThread, hook_settings: Settings
) -> None:
    asyncio.run(delete_webhook(hook_settings))
    assert fake.webhook_url() == ""


def test_webhook__database_down__503_so_telegram_retries__stored_once_when_back(
    fake: FakeTelegram,
    region: Database,
    hook_bot: BotThread,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_store = inbox_queries.store_updates
    down = True

    def store_updates(**kwargs: Any) -> Any:
        if down:
            raise OperationalError("INSERT", {}, ConnectionRefusedError("connection refused"))
        return real_store(**kwargs)

    monkeypatch.setattr(inbox_queries, "store_updates", store_updates)
    user = fake.user(4243, first_name="陌生人")
    user.send("/help")
    wait_until(lambda: sum(d.status == 503 for d in fake.deliveries()) >= 2)
    assert stored(region) == []
    user.wait_for_text("暂时无法使用")  # told once that the answer waits

    down = False
    fake.wait_idle(timeout=20)
    assert [d.status for d in fake.deliveries()][-1] == 200
    assert len(stored(region)) == 1
    wait_until(lambda: {row.state for row in stored(region)} == {"done"})
    assert sum("暂时无法使用" in m.text for m in user.messages()) == 1
