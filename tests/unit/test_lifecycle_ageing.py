"""The daily sweep asks about children past their category's age limit, once each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.care.escalations import EscalationPolicy
from bot.lifecycle.ageing import born_by
from bot.people.access import Caller
from bot.reminders.sweep import sweep_in_chunks
from storage.db import Database
from storage.outbox_models import OutboxMessage
from tests.support.formdriver import FormDriver
from tests.support.ids import resident_id
from tests.support.intake import LEFT_BEHIND, MULTI_CHOICE, ORPHAN
from tests.support.seed import VILLAGE, enrol_caller, seed_region

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def director(db: Database) -> Caller:
    seed_region(db)
    return enrol_caller(db, "director", VILLAGE, 1001)


def file(db: Database, director: Caller, answers: dict[str, tuple[str, str]]) -> None:
    driver = FormDriver(db, director, EscalationPolicy(review_new_files=False))
    driver.begin()
    driver.fill(answers, MULTI_CHOICE)
    assert driver.press("保存").kind == "saved"


def sweep_on(db: Database, day: date) -> list[str]:
    """Run the day's sweep as the worker does; return the age prompts' outbox keys so far."""
    now = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)
    assert sweep_in_chunks(db=db, today=day, now=now, tz=SHANGHAI, quiet=None).ran
    keys = db.call(lambda s: s.exec(select(OutboxMessage.key)).all())
    return sorted(key for key in keys if key.startswith("aged:"))


def test_sweep__child_in_difficulty_turns_18__asked_once_on_the_day(
    db: Database, director: Caller
) -> None:
    file(db, director, {**ORPHAN, "child_id": ("text", resident_id(birth="20081104"))})
    file(db, director, LEFT_BEHIND)  # 11, nowhere near 16
    assert sweep_on(db, date(2026, 11, 3)) == []
    asked = sweep_on(db, date(2026, 11, 4))
    assert len(asked) == 1 and asked[0].startswith("aged:1:difficulty:")
    assert sweep_on(db, date(2026, 11, 5)) == asked


@pytest.mark.parametrize(
    ("today", "years", "expected"),
    [
        (date(2026, 11, 3), 16, date(2010, 11, 3)),
        (date(2028, 2, 29), 18, date(2010, 2, 28)),  # born 28 February: 18 on the 29th
    ],
)
def test_born_by__latest_birth_date_of_that_age(today: date, years: int, expected: date) -> None:
    assert born_by(today, years) == expected
