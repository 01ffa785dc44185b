"""The database out of reach while people write; a second instance polling the same bot."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.settings import Settings
from handlers import gate
from storage.db import Database
from storage.inbox_models import DONE, InboxUpdate
from tests.e2e.test_chat_foundation import enrol
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread

KEPT = "暂时无法使用"


def test_database_unreachable__told_once_answer_kept__processed_when_it_is_back(
    fake: FakeTelegram, region: Database, bot: BotThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, _ = enrol(fake, region)
    real_identify = gate.identify
    down = True

    def identify(**kwargs: Any) -> Any:
        if down:
            raise OperationalError("SELECT", {}, ConnectionRefusedError("connection refused"))
        return real_identify(**kwargs)

    monkeypatch.setattr(gate, "identify", identify)
    user.send("/help")
    user.wait_for_text(KEPT)
    user.send("/help")
    time.sleep(2.0)  # several retries of the first update meanwhile
    texts = [m.text for m in user.messages()]
    assert sum(KEPT in t for t in texts) == 1
    assert not any("抱歉" in t or "一人一档" in t for t in texts)

    down = False
    user.wait_for(lambda m: "一人一档" in m.text, timeout=40)
    deadline = time.monotonic() + 40
    while sum("一人一档" in m.text for m in user.messages()) < 2:
        assert time.monotonic() < deadline, user.transcript()
        time.sleep(0.1)
    rows = region.call(lambda s: s.exec(select(InboxUpdate)).all())
    assert {row.state for row in rows} == {DONE}


def test_second_instance_polling__one_warning_each_and_no_error(
    fake: FakeTelegram,
    region: Database,
    bot_settings: Settings,
    bot: BotThread,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    second = BotThread(bot_settings).start()
    try:
        time.sleep(4)
    finally:
        second.stop()
    warnings = [r for r in caplog.records if "another instance is polling" in r.getMessage()]
    assert 1 <= len(warnings) <= 2  # each of the two says it once, however long it lasts
    assert all(r.levelno == logging.WARNING for r in warnings)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    user, _ = enrol(fake, region)  # and the first one still answers
    user.send("/help")
    assert "一人一档" in user.reply().text
