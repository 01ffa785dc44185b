"""The deadline reminder reaches an admin in the daily sweep and offers the progress workbook."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from bot.settings import Settings
from storage.db import Database
from tests.e2e.test_chat_foundation import enrol
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.clock import FakeClock
from tests.support.seed import COUNTY

EARLY = datetime(2026, 11, 1, 23, 0, tzinfo=UTC)  # 07:00 in Fuzhou, 2 November
MORNING = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 09:00: the sweep's time


def test_deadline__admin_reminded_in_the_morning_sweep_and_gets_the_workbook(
    fake: FakeTelegram, region: Database, bot_settings: Settings
) -> None:
    clock = FakeClock(EARLY)
    first = BotThread(bot_settings, clock=clock).start()
    admin, _ = enrol(fake, region, 3001, "admin", COUNTY, now=EARLY)
    first.stop()
    clock.advance(MORNING - EARLY)
    bot = BotThread(bot_settings, clock=clock).start()
    try:
        reminder = admin.wait_for_text("档案抽查汇总须于 2026-11-10 前由市报送省", timeout=20)
        assert "还有 8 天" in reminder.text and "在册档案 0 份" in reminder.text
        admin.press("📊 进展情况表", reminder)
        sent = admin.wait_for(lambda m: m.kind == "document", timeout=20)
        assert sent.text == "闽侯县 2026年工作进展情况表"
        assert sent.file is not None and sent.file.file_name == f"progress-{COUNTY}-2026.xlsx"
        book = load_workbook(io.BytesIO(sent.file.data), read_only=True)
        assert book.worksheets[0]["A1"].value.startswith("闽侯县 2026年")
    finally:
        bot.stop()
