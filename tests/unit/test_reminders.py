"""The reminder sweep: who gets which digest on which day, once, and never in quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.i18n import default_i18n
from bot.notify.notification import read_payload
from bot.notify.render import Renderer
from bot.people.access import Caller
from bot.reminders import sweep as reminders
from bot.reminders.sweep import html_to_text, quiet_until, sweep
from bot.reply import Reply
from storage.child_models import Child
from storage.db import Database
from storage.models import Staff
from storage.outbox_models import OutboxMessage
from tests.support.children import file_child
from tests.support.seed import (
    CITY,
    COUNTY,
    NEIGHBOUR_VILLAGE,
    PROVINCE,
    TOWNSHIP,
    VILLAGE,
    enrol_caller,
    seed_region,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUIET = (time(21, 0), time(8, 0))
RENDERER = Renderer(default_i18n())  # the sender's renderer: previews read what it will send


enrol = enrol_caller


@pytest.fixture
def village(db: Database) -> dict[str, Caller]:
    """Three children at three tiers, as of 26 November 2026."""
    seed_region(db)
    people = {
        "director": enrol(db, "director", VILLAGE, 1001),
        "supervisor": enrol(db, "supervisor", TOWNSHIP, 2001),
        "admin": enrol(db, "admin", COUNTY, 3001),
    }
    today = date(2026, 11, 26)
    file_child(
        db,
        people["director"],
        name="低小安",
        tier="low",
        sequence="111",
        filed_on=date(2026, 6, 1),
        today=today,
        last_contact=date(2026, 11, 10),
    )
    file_child(
        db,
        people["director"],
        name="中小明",
        tier="medium",
        sequence="113",
        filed_on=date(2026, 6, 1),
        today=today,
    )
    file_child(
        db,
        people["director"],
        name="高小红",
        tier="high",
        sequence="115",
        filed_on=date(2026, 6, 1),
        today=date(2026, 10, 5),
    )
    return people


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI).astimezone(UTC)


def run(db: Database, day: date, dry_run: bool = False, hour: int = 9):  # type: ignore[no-untyped-def]
    return db.call(
        lambda s: sweep(
            session=s,
            today=day,
            now=at(day, hour),
            tz=SHANGHAI,
            quiet=QUIET,
            dry_run=dry_run,
            renderer=RENDERER,
        )
    )


def child_id(db: Database, name: str) -> int:
    child = db.call(lambda s: s.exec(select(Child).where(Child.name == name)).one())
    assert child.id is not None
    return child.id


def test_sweep__director_digest__overdue_first_then_due_within_a_week(
    db: Database, village: dict[str, Caller]
) -> None:
    result = run(db, date(2026, 11, 26), dry_run=True)
    assert [(d.recipient.role, d.kind) for d in result.digests] == [("director", "director")]
    text = html_to_text(result.messages[0][1].text)
    assert text.index("高小红") < text.index("中小明")
    assert "已逾期 26 天" in text and "2026-11-30 前完成" in text
    assert "低小安" not in text
    buttons = [label for row in result.messages[0][1].buttons for label, _ in row]
    assert buttons == ["记录走访：高小红", "记录走访：中小明", "明天再提醒"]


def test_sweep__dry_run__queues_nothing_and_can_run_again(
    db: Database, village: dict[str, Caller]
) -> None:
    run(db, date(2026, 11, 26), dry_run=True)
    assert db.call(lambda s: s.exec(select(OutboxMessage)).all()) == []
    assert run(db, date(2026, 11, 26)).ran


def test_sweep__twice_on_one_day__second_sends_nothing(
    db: Database, village: dict[str, Caller]
) -> None:
    first = run(db, date(2026, 11, 26))
    second = run(db, date(2026, 11, 26), hour=10)
    assert first.ran and not second.ran
    assert len(db.call(lambda s: s.exec(select(OutboxMessage)).all())) == 1


def test_sweep__first_of_month__supervisor_overdue_digest_and_county_for_two_periods(
    db: Database, village: dict[str, Caller]
) -> None:
    result = run(db, date(2026, 12, 1), dry_run=True)
    by_role = {staff.role: html_to_text(message.text) for staff, message in result.messages}
    assert set(by_role) == {"director", "supervisor", "admin"}
    assert "溪头村" in by_role["supervisor"]
    assert "中小明" in by_role["supervisor"] and "高小红" in by_role["supervisor"]
    assert "高小红" in by_role["admin"] and "中小明" not in by_role["admin"]
    assert "已逾期 2 个周期" in by_role["admin"]


def test_sweep__nothing_due__no_message(db: Database) -> None:
    seed_region(db)
    director = enrol(db, "director", VILLAGE, 1001)
    file_child(
        db,
        director,
        name="低小安",
        tier="low",
        sequence="111",
        filed_on=date(2026, 6, 1),
        today=date(2026, 11, 10),
        last_contact=date(2026, 11, 10),
        last_visit=date(2026, 11, 10),
    )
    assert run(db, date(2026, 11, 12), dry_run=True).messages == []


def test_sweep__inside_quiet_hours__queued_until_they_end(
    db: Database, village: dict[str, Caller]
) -> None:
    run(db, date(2026, 11, 26), hour=22)
    row = db.call(lambda s: s.exec(select(OutboxMessage)).one())
    assert row.not_before == at(date(2026, 11, 27), 8)


@pytest.mark.parametrize(
    ("local", "expected"),
    [((12, 0), (12, 0)), ((21, 30), (32, 0)), ((3, 0), (8, 0)), ((8, 0), (8, 0))],
)
def test_quiet_until__overnight_window(local: tuple[int, int], expected: tuple[int, int]) -> None:
    day = date(2026, 11, 26)
    now = datetime.combine(day, time(*local), tzinfo=SHANGHAI)
    hours, minutes = expected
    midnight = datetime.combine(day, time(0), tzinfo=SHANGHAI)
    assert quiet_until(now, QUIET) == midnight + timedelta(hours=hours, minutes=minutes)


def test_quiet_until__no_window__now() -> None:
    now = datetime(2026, 11, 26, 23, 0, tzinfo=SHANGHAI)
    assert quiet_until(now, None) == now


def test_sweep__two_at_once__one_set_of_messages(
    db: Database, village: dict[str, Caller], database_url: str
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    others = [Database(database_url) for _ in range(2)]
    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(
                pool.map(
                    lambda other: other.call(
                        lambda s: sweep(
                            session=s,
                            today=date(2026, 12, 1),
                            now=at(date(2026, 12, 1)),
                            tz=SHANGHAI,
                            quiet=QUIET,
                        )
                    ),
                    others,
                )
            )
    finally:
        for other in others:
            other.dispose()
    assert sorted(r.ran for r in results) == [False, True]
    assert len(db.call(lambda s: s.exec(select(OutboxMessage)).all())) == 3


def test_sweep__draft_untouched_three_days__mentioned_once_in_the_digest(
    db: Database, village: dict[str, Caller]
) -> None:
    from bot.forms import drafts, engine
    from bot.forms.registry import get_form

    staff_id = village["director"].staff_id
    state = engine.start(get_form("intake"))
    db.call(
        lambda s: drafts.create_draft(
            session=s, staff_id=staff_id, form="intake", state=state, now=at(date(2026, 11, 20))
        )
    )
    first = run(db, date(2026, 11, 26))
    assert "未完成的儿童档案" in first.messages[0][1].text
    second = run(db, date(2026, 11, 27))
    assert "未完成" not in second.messages[0][1].text


def test_sweep__first_of_month__each_text_byte_for_byte_what_the_catalog_gives(
    db: Database, village: dict[str, Caller]
) -> None:
    t = default_i18n().translator("zh_Hans")
    visit = t.plain("reminder.kind.visit")
    red = {"name": "高小红", "kind": visit, "due": "2026-10-31"}
    ming = {"name": "中小明", "kind": visit, "due": "2026-11-30"}
    result = run(db, date(2026, 12, 1), dry_run=True)
    director, supervisor, admin = (message for _, message in result.messages)
    assert director.text == "\n".join(
        [
            t("reminder.director_title", count=2),
            t("reminder.overdue_line", **red, days=31),
            t("reminder.overdue_line", **ming, days=1),
        ]
    )
    assert director.buttons == [
        [(t.plain("reminder.visit_button", name="高小红"), f"vs:{child_id(db, '高小红')}")],
        [(t.plain("reminder.visit_button", name="中小明"), f"vs:{child_id(db, '中小明')}")],
        [(t.plain("reminder.snooze"), "rz:1")],
    ]
    assert supervisor == Reply(
        "\n".join(
            [
                t("reminder.overdue_title", count=2),
                t("reminder.village", village="溪头村"),
                t("reminder.overdue_child", **red, periods=2),
                t("reminder.overdue_child", **ming, periods=1),
            ]
        )
    )
    assert admin == Reply(
        "\n".join(
            [
                t("reminder.county_title", count=1),
                t("reminder.village", village="溪头村"),
                t("reminder.overdue_child", **red, periods=2),
            ]
        )
    )


def test_sweep__first_of_month__supervisor_alerts_follow_every_director_digest(
    db: Database, village: dict[str, Caller]
) -> None:
    neighbour = enrol(db, "director", NEIGHBOUR_VILLAGE, 1002)
    file_child(
        db,
        neighbour,
        name="邻小华",
        tier="high",
        sequence="117",
        filed_on=date(2026, 6, 1),
        today=date(2026, 10, 5),
    )
    result = run(db, date(2026, 12, 1), dry_run=True)
    assert [(d.recipient.org_code, d.kind) for d in result.digests] == [
        (VILLAGE, "director"),
        (NEIGHBOUR_VILLAGE, "director"),
        (TOWNSHIP, "overdue"),
        (COUNTY, "county"),
    ]
    alert = html_to_text(result.digests[2].message.text)
    assert "3 名儿童" in alert and alert.index("溪头村") < alert.index("上洋村")


def test_sweep__first_of_month__each_supervisor_reads_the_alert_in_their_language(
    db: Database, village: dict[str, Caller]
) -> None:
    english = enrol(db, "supervisor", TOWNSHIP, 2002, locale="en")
    result = run(db, date(2026, 12, 1), dry_run=True)
    alerts = {d.recipient.id: d.message.text for d in result.digests if d.kind == "overdue"}
    assert set(alerts) == {village["supervisor"].staff_id, english.staff_id}
    assert "逾期走访" in alerts[village["supervisor"].staff_id]
    assert "Overdue visits" in alerts[english.staff_id]
    assert "2 periods missed" in alerts[english.staff_id]


def test_sweep__first_of_month__queued_in_batches_exactly_as_previewed(
    db: Database, village: dict[str, Caller], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reminders, "OUTBOX_BATCH", 2)  # three digests: a full batch, then one
    preview = run(db, date(2026, 12, 1), dry_run=True)
    queued = run(db, date(2026, 12, 1))
    rows = db.call(lambda s: s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())
    assert queued.count == 3
    assert [(row.key, row.chat_id, row.payload) for row in rows] == [
        (
            f"remind:{d.kind}:{d.recipient.id}:2026-12-01",
            d.recipient.telegram_user_id,
            d.notice.to_json(),
        )
        for d in preview.digests
    ]
    # What the sender will render from each row is what the preview showed.
    assert [
        RENDERER.render(read_payload(row.payload).content, d.recipient.locale)
        for row, d in zip(rows, preview.digests, strict=True)
    ] == [d.message for d in preview.digests]
    assert {(row.event, row.not_before) for row in rows} == {
        ("reminder:2026-12-01", at(date(2026, 12, 1)))
    }


def test_sweep__closed_child__left_out(db: Database, village: dict[str, Caller]) -> None:
    red = child_id(db, "高小红")
    db.call(lambda s: setattr(s.get(Child, red), "closed", True))
    result = run(db, date(2026, 12, 1), dry_run=True)
    assert all("高小红" not in message.text for _, message in result.messages)
    assert [d.kind for d in result.digests] == ["director", "overdue"]


def test_sweep__first_of_month__county_without_admin__two_period_alert_goes_to_city_admins(
    db: Database, village: dict[str, Caller]
) -> None:
    db.call(lambda s: setattr(s.get(Staff, village["admin"].staff_id), "active", False))
    city_admin = enrol(db, "admin", CITY, 3002)
    enrol(db, "admin", PROVINCE, 3003)
    result = run(db, date(2026, 12, 1), dry_run=True)
    alerts = [(d.recipient.id, d.kind) for d in result.digests if d.kind != "director"]
    assert alerts == [(village["supervisor"].staff_id, "overdue"), (city_admin.staff_id, "county")]
    county_alert = html_to_text(result.digests[-1].message.text)
    assert "高小红" in county_alert and "中小明" not in county_alert


def test_sweep__first_of_month__only_a_province_admin__two_period_alert_goes_to_the_province(
    db: Database, village: dict[str, Caller]
) -> None:
    db.call(lambda s: setattr(s.get(Staff, village["admin"].staff_id), "active", False))
    province_admin = enrol(db, "admin", PROVINCE, 3003)
    result = run(db, date(2026, 12, 1), dry_run=True)
    assert [(d.recipient.id, d.kind) for d in result.digests if d.kind == "county"] == [
        (province_admin.staff_id, "county")
    ]


def test_sweep__first_of_month__county_admin_present__city_admins_get_nothing(
    db: Database, village: dict[str, Caller]
) -> None:
    enrol(db, "admin", CITY, 3002)
    result = run(db, date(2026, 12, 1), dry_run=True)
    assert [(d.recipient.org_code, d.kind) for d in result.digests if d.kind == "county"] == [
        (COUNTY, "county")
    ]


def test_sweep__first_of_month__township_without_supervisor__whole_alert_goes_to_county_admins(
    db: Database, village: dict[str, Caller]
) -> None:
    db.call(lambda s: setattr(s.get(Staff, village["supervisor"].staff_id), "active", False))
    result = run(db, date(2026, 12, 1), dry_run=True)
    alerts = [(d.recipient.id, d.kind) for d in result.digests if d.kind != "director"]
    assert alerts == [(village["admin"].staff_id, "unsupervised")]
    text = html_to_text(result.digests[-1].message.text)
    assert "乡镇无督导员" in text and "中小明" in text and "高小红" in text
