"""Shared fixtures: a fresh migrated database per test, settings that ignore .env, a clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from storage import crypto
from storage.db import Database
from tests.support.clock import FakeClock
from tests.support.database import fresh_database, prepare_template

TEST_TOKEN = "123456:TEST-token_for_the_fake"
# A fixed data key: the bot refuses to start without one (storage/crypto.py).
TEST_DATA_KEY = "dGVzdC1kYXRhLWtleS1vZi0zMi1ieXRlcy0hISEhISE="


@pytest.fixture(autouse=True)
def data_keyring() -> Iterator[crypto.Keyring]:
    """Install the tests' data key, as the composition root does; restore it afterwards."""
    keyring = crypto.load_keyring(key=TEST_DATA_KEY)
    crypto.use_keyring(keyring)
    yield keyring
    crypto.use_keyring(keyring)


@pytest.fixture(scope="session")
def template_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return prepare_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def database_url(template_url: str, tmp_path: Path) -> str:
    return fresh_database(template_url, tmp_path)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_settings(database_url: str) -> Callable[..., Settings]:
    def build(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "telegram_bot_token": TEST_TOKEN,
            "database_url": database_url,
            "bot_locale": "zh_Hans",
            "data_key": TEST_DATA_KEY,
            # The test clock starts on a first working day after the reminder time: tests
            # that are not about the monthly roll-up must not get its photos.
            "stats_rollup": False,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[arg-type]

    return build
