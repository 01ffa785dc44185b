"""The sweep's parts: texts formatted once, due visits read village by village, batch queueing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.care.cadence import Period
from bot.i18n import default_i18n
from bot.notify.outbox import Queued, Recipient, enqueue_many
from bot.reminders.digests import Memo, due_on, villages_due
from bot.reminders.texts import ReminderTexts, escape, fill
from bot.reply import Reply
from storage.child_models import Child
from storage.db import Database
from storage.outbox_models import OutboxMessage
from tests.support.children import file_child
from tests.support.seed import NEIGHBOUR_VILLAGE, VILLAGE, enrol_caller, seed_region

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
AWKWARD_NAME = "<b>小明</b> & 小红"  # HTML in a name must reach the chat as text


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_reminder_texts__lines_filled_with_a_name__byte_for_byte_the_translators(
    locale: str,
) -> None:
    t = default_i18n().translator(locale)
    texts = ReminderTexts(t)
    visit = t.plain("reminder.kind.visit")
    contact = t.plain("reminder.kind.contact")
    due, overdue = date(2026, 11, 30), date(2026, 10, 31)
    assert fill(texts.director_line("home_visit", due, 0), AWKWARD_NAME) == t(
        "reminder.due_line", name=AWKWARD_NAME, kind=visit, due="2026-11-30", days=0
    )
    assert fill(texts.director_line("contact", overdue, 26), AWKWARD_NAME) == t(
        "reminder.overdue_line", name=AWKWARD_NAME, kind=contact, due="2026-10-31", days=26
    )
    assert fill(texts.overdue_line("home_visit", overdue, 2), AWKWARD_NAME) == t(
        "reminder.overdue_child", name=AWKWARD_NAME, kind=visit, due="2026-10-31", periods=2
    )
    assert texts.village("上洋村 <&>") == t("reminder.village", village="上洋村 <&>")


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_reminder_texts__titles_and_buttons__byte_for_byte_the_translators(locale: str) -> None:
    t = default_i18n().translator(locale)
    texts = ReminderTexts(t)
    assert texts.title("director", 12) == t("reminder.director_title", count=12)
    assert texts.title("overdue", 3) == t("reminder.overdue_title", count=3)
    assert texts.title("county", 1) == t("reminder.county_title", count=1)
    assert texts.stale_draft("intake.title") == t(
        "reminder.stale_draft", title=t.plain("intake.title")
    )
    # Button labels are plain text: Telegram shows them as they are.
    assert AWKWARD_NAME.join(texts.button) == t.plain("reminder.visit_button", name=AWKWARD_NAME)
    assert texts.snooze_button == (t.plain("reminder.snooze"), "rz:1")


def test_escape__plain_name__the_same_string_back() -> None:
    name = "王小明"
    assert escape(name) is name


def test_escape__markup_in_a_name__escaped_like_the_translator() -> None:
    assert escape(AWKWARD_NAME) == "&lt;b&gt;小明&lt;/b&gt; &amp; 小红"


def test_memo__same_key_twice__computed_once() -> None:
    calls: list[str] = []

    def shout(word: str) -> str:
        calls.append(word)
        return word.upper()

    memo = Memo(shout)
    assert (memo["due"], memo["due"], memo["late"]) == ("DUE", "DUE", "LATE")
    assert calls == ["due", "late"]


def test_due_on__first_of_month__missed_months_counted() -> None:
    due = due_on("home_visit", Period.MONTH, date(2026, 10, 31), date(2026, 12, 1))
    assert (due.days_overdue, due.missed_periods) == (31, 2)


def test_due_on__mid_month__overdue_days_but_no_period_ended_yesterday() -> None:
    due = due_on("home_visit", Period.MONTH, date(2026, 10, 31), date(2026, 11, 26))
    assert (due.days_overdue, due.missed_periods) == (26, 0)


def test_due_on__first_of_month_inside_a_quarter__quarterly_visit_not_yet_missed() -> None:
    due = due_on("home_visit", Period.QUARTER, date(2026, 9, 30), date(2026, 12, 1))
    assert (due.days_overdue, due.missed_periods) == (62, 0)


def test_due_on__first_of_a_quarter__missed_quarters_counted() -> None:
    due = due_on("home_visit", Period.QUARTER, date(2026, 9, 30), date(2027, 1, 1))
    assert due.missed_periods == 2


def test_due_on__due_later__nothing_overdue() -> None:
    due = due_on("contact", Period.MONTH, date(2026, 12, 31), date(2026, 12, 1))
    assert (due.days_overdue, due.missed_periods) == (0, 0)


def test_villages_due__two_villages__grouped_in_order_most_urgent_first(db: Database) -> None:
    seed_region(db)
    director = enrol_caller(db, "director", VILLAGE, 1001)
    neighbour = enrol_caller(db, "director", NEIGHBOUR_VILLAGE, 1002)
    today = date(2026, 11, 26)
    common = {"filed_on": date(2026, 6, 1), "today": today}
    late = file_child(
        db,
        director,
        name="高小红",
        tier="high",
        sequence="115",
        filed_on=date(2026, 6, 1),
        today=date(2026, 10, 5),
    )
    first_twin = file_child(db, director, name="同名", tier="medium", sequence="111", **common)
    second_twin = file_child(db, director, name="同名二", tier="medium", sequence="113", **common)
    db.call(lambda s: setattr(s.get(Child, second_twin), "name", "同名"))  # the form refuses twins
    low = file_child(db, neighbour, name="低小安", tier="low", sequence="117", **common)

    found = db.call(lambda s: list(villages_due(s, today)))

    assert [village for village, _ in found] == [VILLAGE, NEIGHBOUR_VILLAGE]
    ours = [(item[2], item[3], item[0]) for item in found[0][1]]
    # Same name and date: the child filed first comes first, whatever the query plan.
    assert ours == [
        (late, "home_visit", date(2026, 10, 31)),
        (first_twin, "home_visit", date(2026, 11, 30)),
        (second_twin, "home_visit", date(2026, 11, 30)),
    ]
    # A low-tier child owes a contact this month; its quarterly visit falls outside the week.
    assert [(item[2], item[3]) for item in found[1][1]] == [(low, "contact")]


def test_villages_due__name_with_markup__escaped_once_for_every_line(db: Database) -> None:
    seed_region(db)
    director = enrol_caller(db, "director", VILLAGE, 1001)
    file_child(
        db,
        director,
        name="小明&小红",
        tier="medium",
        sequence="113",
        filed_on=date(2026, 6, 1),
        today=date(2026, 11, 26),
    )
    [(_, [item])] = db.call(lambda s: list(villages_due(s, date(2026, 11, 26))))
    assert (item[1], item[5]) == ("小明&小红", "小明&amp;小红")


def _recipient(staff_id: int, telegram_user_id: int = 5001) -> Recipient:
    return Recipient(staff_id, "director", VILLAGE, "王芳", None, telegram_user_id)


def _queued(key: str, text: str, recipient: Recipient) -> Queued:
    return Queued(key=key, recipient=recipient, message=Reply(text), event="reminder:test")


def test_enqueue_many__key_already_queued__left_as_it_is(db: Database) -> None:
    seed_region(db)
    staff_id = enrol_caller(db, "director", VILLAGE, 1001).staff_id
    first = [_queued("remind:a", "第一次", _recipient(staff_id))]
    again = [_queued("remind:a", "第二次", _recipient(staff_id))]
    assert db.call(lambda s: enqueue_many(session=s, messages=first, now=NOW)) == 1
    assert db.call(lambda s: enqueue_many(session=s, messages=again, now=NOW)) == 0
    rows = db.call(lambda s: s.exec(select(OutboxMessage)).all())
    assert [Reply.from_json(row.payload).text for row in rows] == ["第一次"]


def test_enqueue_many__batch__each_row_as_enqueue_would_write_it(db: Database) -> None:
    seed_region(db)
    staff_id = enrol_caller(db, "director", VILLAGE, 1001).staff_id
    later = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    messages = [
        Queued("remind:a", _recipient(staff_id, 1001), Reply("甲", [[("好", "x:1")]]), later),
        Queued("remind:a", _recipient(staff_id, 1001), Reply("重复")),  # a repeated key
        Queued("remind:b", _recipient(staff_id, 1001), Reply("乙"), event="reminder:test"),
    ]
    assert db.call(lambda s: enqueue_many(session=s, messages=messages, now=NOW)) == 2
    rows = db.call(lambda s: s.exec(select(OutboxMessage).order_by(OutboxMessage.key)).all())
    assert [(r.key, r.payload, r.not_before, r.event) for r in rows] == [
        ("remind:a", messages[0].message.to_json(), later, ""),
        ("remind:b", messages[2].message.to_json(), NOW, "reminder:test"),
    ]
    assert {(r.recipient_staff_id, r.chat_id, r.state, r.attempts, r.created_at) for r in rows} == {
        (staff_id, 1001, "pending", 0, NOW)
    }


def test_enqueue_many__recipient_without_telegram__skipped(db: Database) -> None:
    seed_region(db)
    staff_id = enrol_caller(db, "director", VILLAGE, 1001).staff_id
    unenrolled = Recipient(staff_id, "director", VILLAGE, None, None, None)  # type: ignore[arg-type]
    messages = [_queued("remind:a", "甲", unenrolled)]
    assert db.call(lambda s: enqueue_many(session=s, messages=messages, now=NOW)) == 0
