"""Deadline reminders: each admin once a year per deadline, after quiet hours, figures ready."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.county.deadlines import queue_deadline_reminders
from bot.i18n import I18n
from bot.notify.notification import read_payload
from bot.notify.render import Renderer
from storage.db import Database
from storage.outbox_models import OutboxMessage
from tests.support.county import add_children
from tests.support.seed import CITY, COUNTY, VILLAGE, enrol_caller, invite, seed_region

TZ = ZoneInfo("Asia/Shanghai")
QUIET = (time(21, 0), time(8, 0))


def _queue(db: Database, today: date, now: datetime) -> int:
    return db.call(
        lambda s: queue_deadline_reminders(session=s, today=today, now=now, tz=TZ, quiet=QUIET)
    )


def _rows(db: Database) -> list[OutboxMessage]:
    return db.call(lambda s: list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id))))


def test_deadline_reminders__queued_once_per_admin_and_deadline_after_quiet_hours(
    db: Database,
) -> None:
    seed_region(db)
    county_admin = enrol_caller(db, "admin", COUNTY, 3001)
    city_admin = enrol_caller(db, "admin", CITY, 4001)
    invite(db, "admin", COUNTY, name="未注册")  # no Telegram account: nobody to tell
    director = invite(db, "director", VILLAGE).staff.id or 0
    add_children(db, VILLAGE, 4, filed_by=director)
    evening = datetime(2026, 10, 28, 14, 0, tzinfo=UTC)  # 22:00 in Fuzhou: quiet hours

    assert _queue(db, date(2026, 10, 20), evening) == 0  # before the notice period
    assert _queue(db, date(2026, 10, 28), evening) == 2
    assert _queue(db, date(2026, 10, 28), evening) == 0  # the day ran
    assert _queue(db, date(2026, 10, 29), evening) == 0  # each told once this year
    rows = _rows(db)
    assert sorted(r.recipient_staff_id for r in rows) == sorted(
        [city_admin.staff_id, county_admin.staff_id]
    )
    assert all(r.key.startswith("deadline:spot_check:2026:") for r in rows)
    assert all(r.not_before == datetime(2026, 10, 29, 0, 0, tzinfo=UTC) for r in rows)

    assert _queue(db, date(2026, 11, 20), evening) == 2  # the progress report's turn
    county_row = next(
        r for r in _rows(db) if r.key == f"deadline:progress:2026:{county_admin.staff_id}"
    )
    message = Renderer(I18n()).render(read_payload(county_row.payload).content, "zh_Hans")
    assert "年度工作进展报告须于 2026-11-30 前报送（还有 10 天）" in message.text
    assert "在册档案 4 份" in message.text
    assert message.buttons == [[("📊 进展情况表", f"pr:{COUNTY}:2026")]]
