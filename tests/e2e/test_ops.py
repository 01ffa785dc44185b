"""A running bot's ops port: metrics count what it handled and sent, logs hold no chat text."""

from __future__ import annotations

import io
import json
import logging
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.logs import configure_logging
from bot.notify import outbox
from bot.reply import Reply
from bot.settings import Settings
from storage.db import Database
from storage.recipient_queries import recipient_by_id
from tests.e2e.test_chat_foundation import enrol
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.clock import FakeClock


def fetch(bot: BotThread, path: str) -> tuple[int, str]:
    port = bot.application.bot_data["ops_server"].port
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def scrape_until(bot: BotThread, wanted: Callable[[str], bool], timeout: float = 10) -> str:
    """Scrape /metrics until `wanted` holds; the last scrape either way."""
    deadline = time.monotonic() + timeout
    while True:
        text = fetch(bot, "/metrics")[1]
        if wanted(text) or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus exposition (0 when it is not there)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    return 0.0


@pytest.fixture
def ops_bot(
    fake: FakeTelegram,
    make_settings: object,
    clock: FakeClock,
    region: Database,
) -> Iterator[BotThread]:
    settings: Settings = make_settings(  # type: ignore[operator]
        telegram_api_url=fake.api_url, ops_listen="127.0.0.1:0"
    )
    runner = BotThread(settings, clock=clock).start()
    yield runner
    runner.stop()


def test_metrics__messages_presses_and_an_outbox_send__counted(
    fake: FakeTelegram, region: Database, ops_bot: BotThread, clock: FakeClock
) -> None:
    status, before = fetch(ops_bot, "/metrics")
    assert status == 200
    user, issued = enrol(fake, region)
    user.send("/lang")
    user.wait_for_text("请选择语言")
    user.press("English")
    user.wait_for_text("Please choose from the menu below.")

    def more(name: str, text: str, **labels: str) -> float:
        return sample(text, name, **labels) - sample(before, name, **labels)

    # Counted once the handlers return, a moment after their reply arrived.
    handled = scrape_until(
        ops_bot, lambda text: more("guanai_updates_handled_total", text, kind="callback") > 0
    )

    assert more("guanai_updates_handled_total", handled, kind="message") == 2
    assert more("guanai_updates_handled_total", handled, kind="callback") == 1
    assert more("guanai_update_handler_seconds_count", handled, kind="message") == 2
    assert "guanai_database_up 1.0" in handled

    staff_id = issued.staff.id
    assert staff_id is not None
    region.call(
        lambda s: outbox.enqueue(
            session=s,
            key="test:metrics",
            recipient=recipient_by_id(session=s, staff_id=staff_id),
            message=Reply("Outbox test"),
            now=clock() - timedelta(seconds=1),
        )
    )
    user.wait_for_text("Outbox test", timeout=20)
    # Counted once its row is marked sent, a moment after the message arrived.
    sent = sample(handled, "guanai_outbox_sent_total")
    delivered = scrape_until(ops_bot, lambda text: sample(text, "guanai_outbox_sent_total") > sent)
    assert sample(delivered, "guanai_outbox_sent_total") - sent == 1
    assert sample(delivered, "guanai_outbox_backlog", state="pending") == 0

    status, health = fetch(ops_bot, "/healthz")
    assert status == 200 and json.loads(health)["status"] == "ok"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level, before = root.level, list(root.handlers)
    stream = io.StringIO()
    configure_logging(log_format="json", stream=stream)
    yield stream
    for handler in [h for h in root.handlers if h not in before]:
        root.removeHandler(handler)
    root.setLevel(level)


def test_json_logs__running_bot__lines_parse_and_hold_no_chat_text(
    fake: FakeTelegram,
    region: Database,
    bot_settings: Settings,
    clock: FakeClock,
    json_log: io.StringIO,
) -> None:
    bot = BotThread(bot_settings, clock=clock).start()
    try:
        user, issued = enrol(fake, region)
        user.send("李小红的电话是13912345678")
        user.reply()
        fake.wait_idle()
    finally:
        bot.stop()
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert any(line["message"].startswith("bot started as @") for line in lines)
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    text = json_log.getvalue()
    for said in ("李小红", "13912345678", issued.code):
        assert said not in text
