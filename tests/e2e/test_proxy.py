"""TELEGRAM_PROXY_URL: the bot's Bot API calls, polling included, go through the proxy."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest

from bot.app import build_bot
from bot.settings import Settings
from storage.db import Database
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.clock import FakeClock
from tests.support.proxy import ForwardingProxy


@pytest.fixture
def proxy() -> Iterator[ForwardingProxy]:
    forwarding = ForwardingProxy().start()
    yield forwarding
    forwarding.stop()


def test_build_bot__proxy_setting__get_me_goes_through_the_proxy(
    fake: FakeTelegram, proxy: ForwardingProxy, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(telegram_api_url=fake.api_url, telegram_proxy_url=proxy.url)

    async def get_me() -> str | None:
        bot = build_bot(settings)
        async with bot:
            return (await bot.get_me()).username

    assert asyncio.run(get_me()) == fake.bot_username
    assert any(path.endswith("/getMe") for path in proxy.paths())
    assert fake.call_count("getMe") >= 1


def test_running_bot__proxy_setting__start_answered_through_the_proxy(
    fake: FakeTelegram,
    proxy: ForwardingProxy,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    region: Database,
) -> None:
    settings = make_settings(telegram_api_url=fake.api_url, telegram_proxy_url=proxy.url)
    runner = BotThread(settings, clock=clock).start()
    try:
        stranger = fake.user(3001, first_name="Zhang")
        stranger.send("/start")
        assert "民政局" in stranger.wait_for_text("民政局").text
    finally:
        runner.stop()
    methods = {path.rsplit("/", 1)[-1] for path in proxy.paths()}
    assert {"getMe", "getUpdates", "sendMessage"} <= methods
