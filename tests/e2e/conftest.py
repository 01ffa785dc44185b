"""End-to-end fixtures: the strict fake Bot API, and the real bot polling it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.settings import Settings
from storage.db import Database
from tests.conftest import TEST_TOKEN
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.clock import FakeClock
from tests.support.seed import seed_region


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    telegram = FakeTelegram(token=TEST_TOKEN, bot_username="guanai_test_bot")
    telegram.start()
    yield telegram
    telegram.stop()


@pytest.fixture
def region(db: Database) -> Database:
    seed_region(db)
    return db


@pytest.fixture
def bot_settings(fake: FakeTelegram, make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(telegram_api_url=fake.api_url)


@pytest.fixture
def bot(bot_settings: Settings, clock: FakeClock, region: Database) -> Iterator[BotThread]:
    runner = BotThread(bot_settings, clock=clock).start()
    yield runner
    runner.stop()
