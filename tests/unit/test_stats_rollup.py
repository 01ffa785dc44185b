"""The monthly roll-up: its day, its figures, queued once per person and month, quiet hours."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.errors import AccessDenied
from bot.i18n import default_i18n
from bot.notify.notification import read_payload
from bot.notify.render import Renderer
from bot.oversight.figures import layout
from bot.oversight.rollup import (
    area_summary,
    first_working_day,
    previous_month,
    queue_rollups,
    render_rollup,
)
from bot.reminders.sweep import quiet_until
from bot.reply import Reply
from storage.db import Database
from storage.outbox_models import OutboxMessage
from tests.support.seed import TOWNSHIP
from tests.support.stats_data import seed_stats

TZ = ZoneInfo("Asia/Shanghai")
FIRST_WORKING_DAY = date(2026, 11, 2)  # 1 November 2026 is a Sunday
MORNING = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 10:00 in Fujian


def test_first_working_day__weekend_first__the_monday_after() -> None:
    assert first_working_day(date(2026, 11, 20)) == date(2026, 11, 2)  # Sunday the 1st
    assert first_working_day(date(2026, 8, 15)) == date(2026, 8, 3)  # Saturday the 1st
    assert first_working_day(date(2026, 12, 9)) == date(2026, 12, 1)  # a Tuesday
    assert previous_month(date(2026, 1, 5)) == date(2025, 12, 1)


def test_area_summary__township_october__compliance_overdue_escalations(db: Database) -> None:
    callers = seed_stats(db)
    summary = db.read(
        lambda s: area_summary(
            session=s,
            caller=callers["supervisor"],
            code=TOWNSHIP,
            month=date(2026, 10, 1),
            today=FIRST_WORKING_DAY,
            tz=TZ,
        )
    )
    # October: 小安 (home visit 10 Oct) and 小贝 (5 Oct) done, 小晨 (a contact in September) and
    # 小鹅 (never visited) not.
    assert summary["units"] == [["溪头村", 2, 3], ["上洋村", 0, 1]]
    assert summary["total"] == [2, 4]
    assert summary["tiers"] == [2, 1, 1]
    assert summary["overdue"] == 2  # 小贝 and 小鹅, due by 31 October
    assert (summary["opened"], summary["closed"]) == (1, 1)  # raised 19 Oct, resolved 20 Oct
    assert summary["month"] == "2026-10"


def outbox_rows(db: Database) -> list[OutboxMessage]:
    return list(db.read(lambda s: s.exec(select(OutboxMessage)).all()))


def test_queue_rollups__first_working_day__once_for_each_supervisor_and_admin(
    db: Database,
) -> None:
    callers = seed_stats(db)
    queue = lambda today, now: queue_rollups(  # noqa: E731
        db=db, today=today, now=now, tz=TZ, not_before=now
    )
    assert queue(date(2026, 11, 1), MORNING) is None  # a Sunday, before the first working day
    assert queue(FIRST_WORKING_DAY, MORNING) == 2
    assert queue(FIRST_WORKING_DAY, MORNING) is None  # queued already
    assert queue(date(2026, 11, 3), MORNING) is None  # the month's roll-up went out
    rows = outbox_rows(db)
    assert sorted(r.key for r in rows) == sorted(
        f"stats.rollup:{callers[who].staff_id}:2026-10" for who in ("supervisor", "admin")
    )
    by_recipient = {r.recipient_staff_id: read_payload(r.payload).content for r in rows}
    admin_notice = by_recipient[callers["admin"].staff_id]
    assert admin_notice.params["area"] == "闽侯县"  # type: ignore[union-attr]
    assert [u[0] for u in admin_notice.params["units"]] == ["白沙镇", "南屿镇"]  # type: ignore[union-attr]
    assert all("photo" not in json.loads(r.payload)["params"] for r in rows)  # figures only


def test_queue_rollups__missed_first_day__caught_up_later_in_the_month(db: Database) -> None:
    seed_stats(db)
    later = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)
    assert queue_rollups(db=db, today=date(2026, 11, 5), now=later, tz=TZ, not_before=later) == 2


def test_queue_rollups__quiet_hours__held_until_morning(db: Database) -> None:
    seed_stats(db)
    evening = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)  # 22:30 in Fujian
    not_before = quiet_until(evening.astimezone(TZ), (time(21, 0), time(8, 0)))
    queue_rollups(db=db, today=FIRST_WORKING_DAY, now=evening, tz=TZ, not_before=not_before)
    assert {r.not_before for r in outbox_rows(db)} == {datetime(2026, 11, 3, 0, 0, tzinfo=UTC)}


def test_render_rollup__photo_with_the_summary_as_caption(db: Database) -> None:
    callers = seed_stats(db)
    params = db.read(
        lambda s: area_summary(
            session=s,
            caller=callers["supervisor"],
            code=TOWNSHIP,
            month=date(2026, 10, 1),
            today=FIRST_WORKING_DAY,
            tz=TZ,
        )
    )
    renderer = Renderer(default_i18n())
    payload = json.dumps({"kind": "stats.rollup", "params": params}, ensure_ascii=False)
    assert renderer.is_slow(payload)
    reply = render_rollup(default_i18n().translator("zh_Hans"), params)
    assert reply.photo is not None and reply.photo.startswith(b"\x89PNG")
    assert "上月走访达标：50% (2/4)" in reply.text and "新增预警上报 1 件，办结 1 件" in reply.text
    assert reply.parts() == [reply]  # the summary fits in the caption


def test_reply_parts__long_caption__photo_alone_then_the_text() -> None:
    reply = Reply("字" * 1500, [[("a", "b")]], photo=b"\x89PNG")
    photo, text = reply.parts()
    assert (photo.photo, photo.text) == (b"\x89PNG", "")
    assert text.photo is None and text.buttons == [[("a", "b")]]


def test_layout__director__may_not_get_an_areas_figures(db: Database) -> None:
    callers = seed_stats(db)
    with pytest.raises(AccessDenied):
        db.read(lambda s: layout(session=s, caller=callers["director"], code=TOWNSHIP))
