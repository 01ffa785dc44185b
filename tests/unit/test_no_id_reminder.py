"""A child filed without an ID number is named in the director's digest every day until the
number is added; nothing else in the digest changes."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.reminders.sweep import html_to_text
from storage.child_models import Child
from storage.db import Database
from tests.e2e.test_chat_intake_families import UNREGISTERED
from tests.support.formdriver import FormDriver
from tests.support.ids import resident_id
from tests.support.intake import MULTI_CHOICE
from tests.support.seed import VILLAGE, enrol_caller, seed_region
from tests.unit.test_reminders import run


def test_sweep__child_without_id__named_daily_until_the_number_is_added(db: Database) -> None:
    seed_region(db)
    director = enrol_caller(db, "director", VILLAGE, 1001)
    driver = FormDriver(db, director)
    driver.begin()
    driver.fill(UNREGISTERED, MULTI_CHOICE)
    assert driver.press("保存").kind == "saved"
    for day in (date(2026, 11, 3), date(2026, 11, 4)):
        result = run(db, day, dry_run=True)
        # Nothing is due yet (a new file owes next month's visit): the digest is the reminder.
        assert [d.kind for d in result.digests] == ["director"]
        text = html_to_text(result.messages[0][1].text)
        assert "张小明 还没有身份证号" in text and "走访提醒" not in text

    def give_id(session: object) -> None:
        child = session.exec(select(Child)).one()  # type: ignore[attr-defined]
        child.id_number = resident_id(birth="20150305", sequence="123")

    db.call(give_id)
    assert run(db, date(2026, 11, 5), dry_run=True).digests == []
