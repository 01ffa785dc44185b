"""An idle bot's log: no library line per poll or job run, the bot's own at most one per run."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from bot.logs import QUIET_LIBRARIES, configure_logging
from bot.settings import Settings
from storage.db import Database
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread


@pytest.fixture
def restored_loggers() -> Iterator[None]:
    names = ("", *QUIET_LIBRARIES)
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("restored_loggers")
def test_idle_bot__outbox_polled_every_100_ms__no_info_line_per_run(
    fake: FakeTelegram,
    region: Database,
    make_settings: Callable[..., Settings],
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure_logging()
    settings = make_settings(telegram_api_url=fake.api_url, outbox_poll_seconds=0.1)
    with caplog.at_level(logging.INFO):
        bot = BotThread(settings).start()
        time.sleep(1.5)  # about 15 outbox runs, the escalation and start-up reminder jobs
        caplog.clear()  # start-up lines ("bot started as ...") are fine once
        time.sleep(2.0)
        bot.stop()
    by_logger = Counter(record.name.split(".")[0] for record in caplog.records)
    assert by_logger.get("apscheduler", 0) == 0
    assert by_logger.get("httpx", 0) == 0 and by_logger.get("telegram", 0) <= 2
    assert by_logger.get("bot", 0) <= 2, caplog.text
