"""The visit cadence policy: calendar periods, local dates, what is done, due and overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.care.cadence import (
    CONTACT_OR_VISIT_MONTHLY,
    DEFAULT_CADENCE,
    HOME_VISIT_MONTHLY,
    HOME_VISIT_QUARTERLY,
    Contact,
    Period,
    Requirement,
    RequirementStatus,
    VisitKind,
    next_due,
    overdue_periods,
    period_bounds,
    requirement_status,
    requirements_for,
    to_local_date,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALL = VisitKind.CONTACT
VISIT = VisitKind.HOME_VISIT
LONG_AGO = date(2020, 1, 1)


def call(on: date) -> Contact:
    return Contact(on, CALL)


def visit(on: date) -> Contact:
    return Contact(on, VISIT)


def status(
    tier: str,
    today: date,
    *contacts: Contact,
    filed_on: date = LONG_AGO,
    tier_since: date | None = None,
) -> dict[Requirement, RequirementStatus]:
    found = requirement_status(
        tier=tier, filed_on=filed_on, contacts=contacts, today=today, tier_since=tier_since
    )
    return {s.requirement: s for s in found}


# --- calendar periods ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "first", "last"),
    [
        (date(2026, 1, 31), date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 4, 30), date(2026, 4, 1), date(2026, 4, 30)),
        (date(2026, 3, 31), date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
        (date(2026, 2, 14), date(2026, 2, 1), date(2026, 2, 28)),
        (date(2028, 2, 29), date(2028, 2, 1), date(2028, 2, 29)),
        (date(2028, 2, 1), date(2028, 2, 1), date(2028, 2, 29)),
        (date(2100, 2, 10), date(2100, 2, 1), date(2100, 2, 28)),
        (date(2000, 2, 10), date(2000, 2, 1), date(2000, 2, 29)),
    ],
)
def test_month_bounds__any_day__first_and_last_calendar_day(
    day: date, first: date, last: date
) -> None:
    assert period_bounds(day, Period.MONTH) == (first, last)


@pytest.mark.parametrize(
    ("day", "first", "last"),
    [
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 6, 30), date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 9, 30), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 1), date(2026, 12, 31)),
        (date(2026, 12, 31), date(2026, 10, 1), date(2026, 12, 31)),
        (date(2028, 2, 29), date(2028, 1, 1), date(2028, 3, 31)),
    ],
)
def test_quarter_bounds__starts_and_ends__calendar_quarter(
    day: date, first: date, last: date
) -> None:
    assert period_bounds(day, Period.QUARTER) == (first, last)


# --- local dates ---------------------------------------------------------------------------


def test_visit_at_2359_local_on_jan_31__is_january() -> None:
    moment = datetime(2026, 1, 31, 23, 59, tzinfo=timezone(timedelta(hours=8)))
    assert to_local_date(moment, SHANGHAI) == date(2026, 1, 31)


def test_visit_at_0001_local_on_feb_1__is_february() -> None:
    moment = datetime(2026, 2, 1, 0, 1, tzinfo=timezone(timedelta(hours=8)))
    assert to_local_date(moment, SHANGHAI) == date(2026, 2, 1)


def test_utc_afternoon_on_jan_31__is_already_february_in_shanghai() -> None:
    assert to_local_date(datetime(2026, 1, 31, 16, 1, tzinfo=UTC), SHANGHAI) == date(2026, 2, 1)
    assert to_local_date(datetime(2026, 1, 31, 15, 59, tzinfo=UTC), SHANGHAI) == date(2026, 1, 31)


def test_naive_datetime__refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="aware"):
        to_local_date(datetime(2026, 1, 31, 23, 59), SHANGHAI)


def test_visit_at_2359_local__counts_for_january_and_february_still_owes() -> None:
    on = to_local_date(datetime(2026, 1, 31, 15, 59, tzinfo=UTC), SHANGHAI)
    s = status("high", date(2026, 2, 10), visit(on))[HOME_VISIT_MONTHLY]
    assert (s.done, s.due_date, s.overdue_periods, s.days_overdue_previous) == (
        False,
        date(2026, 2, 28),
        0,
        0,
    )


def test_visit_at_0001_local__counts_for_february_and_january_was_missed() -> None:
    on = to_local_date(datetime(2026, 1, 31, 16, 1, tzinfo=UTC), SHANGHAI)
    found = status("high", date(2026, 2, 10), visit(on), filed_on=date(2026, 1, 5))
    s = found[HOME_VISIT_MONTHLY]
    assert (s.done, s.due_date, s.overdue_periods, s.days_overdue_previous) == (
        True,
        date(2026, 3, 31),
        1,
        10,
    )


# --- what each tier needs ------------------------------------------------------------------


def test_low_risk__phone_call_this_month__monthly_done_quarterly_not() -> None:
    s = status("low", date(2026, 5, 20), call(date(2026, 5, 3)))
    monthly, quarterly = s[CONTACT_OR_VISIT_MONTHLY], s[HOME_VISIT_QUARTERLY]
    assert (monthly.done, monthly.due_date, monthly.last_satisfying) == (
        True,
        date(2026, 6, 30),
        date(2026, 5, 3),
    )
    assert (quarterly.done, quarterly.due_date, quarterly.last_satisfying) == (
        False,
        date(2026, 6, 30),
        None,
    )
    assert (quarterly.period_start, quarterly.period_end) == (date(2026, 4, 1), date(2026, 6, 30))


def test_low_risk__home_visit__counts_as_the_monthly_contact_too() -> None:
    s = status("low", date(2026, 5, 20), visit(date(2026, 5, 3)))
    assert s[CONTACT_OR_VISIT_MONTHLY].done
    assert s[HOME_VISIT_QUARTERLY].done
    assert s[HOME_VISIT_QUARTERLY].due_date == date(2026, 9, 30)


@pytest.mark.parametrize("tier", ["medium", "high"])
def test_medium_and_high_risk__phone_call_only__monthly_visit_still_owed(tier: str) -> None:
    s = status(tier, date(2026, 5, 20), call(date(2026, 5, 3)))
    assert list(s) == [HOME_VISIT_MONTHLY]
    assert (s[HOME_VISIT_MONTHLY].done, s[HOME_VISIT_MONTHLY].due_date) == (
        False,
        date(2026, 5, 31),
    )


def test_tier_change_low_to_high_on_the_15th__this_month_now_needs_a_home_visit() -> None:
    contacts = (visit(date(2026, 3, 20)), call(date(2026, 4, 3)), call(date(2026, 5, 2)))
    today = date(2026, 5, 15)
    assert status("low", today, *contacts)[CONTACT_OR_VISIT_MONTHLY].done
    high = status("high", today, *contacts, tier_since=today)[HOME_VISIT_MONTHLY]
    assert (high.done, high.due_date, high.overdue_periods) == (False, date(2026, 5, 31), 0)


def test_tier_change_without_tier_since__earlier_months_judged_by_the_new_tier() -> None:
    contacts = (visit(date(2026, 3, 20)), call(date(2026, 4, 3)), call(date(2026, 5, 2)))
    high = status("high", date(2026, 5, 15), *contacts)[HOME_VISIT_MONTHLY]
    assert (high.overdue_periods, high.days_overdue_previous) == (1, 15)


def test_unknown_tier__refused() -> None:
    with pytest.raises(ValueError, match="unknown risk tier 'extreme'"):
        requirements_for("extreme")
    with pytest.raises(ValueError):
        next_due(
            tier="",
            filed_on=LONG_AGO,
            last_contact_on=None,
            last_visit_on=None,
            today=date(2026, 1, 1),
        )


def test_default_cadence__read_only() -> None:
    with pytest.raises(TypeError):
        DEFAULT_CADENCE["low"] = ()  # type: ignore[index]


# --- filing, no visits, overdue ------------------------------------------------------------


def test_child_with_no_visits_at_all__owes_now_and_every_month_since_filing_is_overdue() -> None:
    s = status("high", date(2026, 2, 5), filed_on=date(2025, 11, 10))[HOME_VISIT_MONTHLY]
    assert (s.done, s.due_date, s.last_satisfying) == (False, date(2026, 2, 28), None)
    assert (s.overdue_periods, s.days_overdue_previous) == (3, 5)


def test_child_filed_mid_month__owes_this_month_and_nothing_before() -> None:
    s = status("high", date(2026, 4, 16), filed_on=date(2026, 4, 15))[HOME_VISIT_MONTHLY]
    assert (s.done, s.due_date, s.overdue_periods, s.days_overdue_previous) == (
        False,
        date(2026, 4, 30),
        0,
        0,
    )


@pytest.mark.parametrize(
    ("filed_on", "missed"),
    [(date(2026, 1, 20), 1), (date(2026, 1, 31), 1), (date(2026, 2, 1), 0)],
)
def test_child_filed_late_last_month__last_month_owed_only_if_filed_by_its_last_day(
    filed_on: date, missed: int
) -> None:
    s = status("medium", date(2026, 2, 3), filed_on=filed_on)[HOME_VISIT_MONTHLY]
    assert s.overdue_periods == missed
    assert s.days_overdue_previous == (3 if missed else 0)


@pytest.mark.parametrize(
    ("today", "days"),
    [
        (date(2026, 3, 1), 1),
        (date(2026, 3, 15), 15),
        (date(2026, 3, 31), 31),
        (date(2028, 3, 1), 1),
    ],
)
def test_previous_month_missed__days_overdue_counted_from_its_last_day(
    today: date, days: int
) -> None:
    last_visit = visit(today.replace(day=1) - timedelta(days=40))
    s = status("high", today, last_visit)[HOME_VISIT_MONTHLY]
    assert s.days_overdue_previous == days


def test_high_risk__two_months_missed_in_a_row__two_periods_overdue() -> None:
    contacts = [visit(date(2025, 12, 10))]
    assert (
        overdue_periods(
            HOME_VISIT_MONTHLY, filed_on=LONG_AGO, contacts=contacts, today=date(2026, 2, 1)
        )
        == 1
    )
    assert (
        overdue_periods(
            HOME_VISIT_MONTHLY, filed_on=LONG_AGO, contacts=contacts, today=date(2026, 3, 1)
        )
        == 2
    )


def test_high_risk__missed_months_not_adjacent__only_the_latest_run_counts() -> None:
    contacts = [visit(date(2025, 11, 5)), visit(date(2026, 1, 5))]
    assert (
        overdue_periods(
            HOME_VISIT_MONTHLY, filed_on=LONG_AGO, contacts=contacts, today=date(2026, 3, 2)
        )
        == 1
    )


def test_high_risk__visit_this_month_does_not_cover_missed_months_before() -> None:
    contacts = [visit(date(2025, 12, 10)), visit(date(2026, 3, 1))]
    s = status("high", date(2026, 3, 2), *contacts)[HOME_VISIT_MONTHLY]
    assert (s.done, s.overdue_periods, s.days_overdue_previous) == (True, 2, 2)


def test_low_risk__no_home_visit_last_quarter__quarter_overdue_from_dec_31() -> None:
    contacts = [visit(date(2025, 8, 12)), call(date(2025, 10, 3)), call(date(2025, 11, 3))]
    contacts += [call(date(2025, 12, 31)), call(date(2026, 1, 2))]
    s = status("low", date(2026, 1, 5), *contacts)
    assert (s[CONTACT_OR_VISIT_MONTHLY].done, s[CONTACT_OR_VISIT_MONTHLY].overdue_periods) == (
        True,
        0,
    )
    quarterly = s[HOME_VISIT_QUARTERLY]
    assert (quarterly.done, quarterly.due_date) == (False, date(2026, 3, 31))
    assert (quarterly.overdue_periods, quarterly.days_overdue_previous) == (1, 5)


def test_contact_dated_after_today__ignored() -> None:
    s = status("high", date(2026, 5, 10), visit(date(2026, 5, 11)))[HOME_VISIT_MONTHLY]
    assert (s.done, s.last_satisfying) == (False, None)


# --- custom tables -------------------------------------------------------------------------


def test_custom_cadence__table_passed_in_replaces_the_defaults() -> None:
    weekly_calls_are_not_a_thing = Requirement(frozenset({CALL}), Period.MONTH)
    table = {
        "low": (HOME_VISIT_QUARTERLY,),
        "watch": (HOME_VISIT_MONTHLY, weekly_calls_are_not_a_thing),
    }
    low = requirement_status(
        tier="low",
        filed_on=LONG_AGO,
        contacts=[call(date(2026, 5, 3))],
        today=date(2026, 5, 20),
        cadence=table,
    )
    assert [s.requirement for s in low] == [HOME_VISIT_QUARTERLY]
    with pytest.raises(ValueError):
        requirement_status(
            tier="high", filed_on=LONG_AGO, contacts=[], today=date(2026, 5, 20), cadence=table
        )
    # A home visit does not satisfy a calls-only requirement: kinds are taken literally.
    due = next_due(
        tier="watch",
        filed_on=LONG_AGO,
        last_contact_on=None,
        last_visit_on=date(2026, 5, 3),
        today=date(2026, 5, 20),
        cadence=table,
    )
    assert due == (date(2026, 5, 31), date(2026, 6, 30))


# --- next due dates for the child row ------------------------------------------------------


def due(
    tier: str, today: date, last_contact_on: date | None, last_visit_on: date | None
) -> tuple[date | None, date | None]:
    return next_due(
        tier=tier,
        filed_on=LONG_AGO,
        last_contact_on=last_contact_on,
        last_visit_on=last_visit_on,
        today=today,
    )


def test_next_due__low_risk_phone_call_this_month__next_month_and_this_quarter() -> None:
    assert due("low", date(2026, 5, 20), date(2026, 5, 3), date(2026, 2, 1)) == (
        date(2026, 6, 30),
        date(2026, 6, 30),
    )


def test_next_due__low_risk_home_visit_only__counts_as_the_contact() -> None:
    assert due("low", date(2026, 5, 20), None, date(2026, 5, 3)) == (
        date(2026, 6, 30),
        date(2026, 9, 30),
    )


def test_next_due__high_risk_never_visited__no_contact_column_visit_due_month_end() -> None:
    assert due("high", date(2026, 5, 20), date(2026, 5, 19), None) == (None, date(2026, 5, 31))


def test_next_due__visit_on_quarter_end_dec_31__due_next_january_and_march() -> None:
    assert due("low", date(2026, 12, 31), None, date(2026, 12, 31)) == (
        date(2027, 1, 31),
        date(2027, 3, 31),
    )


@pytest.mark.parametrize(("year", "last_day"), [(2028, 29), (2026, 28)])
def test_next_due__january_visit__due_end_of_february_leap_or_not(year: int, last_day: int) -> None:
    assert due("medium", date(year, 1, 31), None, date(year, 1, 5)) == (
        None,
        date(year, 2, last_day),
    )


def test_next_due__visit_last_month__due_this_month_end_not_last() -> None:
    assert due("high", date(2026, 5, 1), None, date(2026, 4, 30)) == (None, date(2026, 5, 31))


def test_next_due__agrees_with_requirement_status_every_day_of_two_years() -> None:
    patterns = {
        "nothing": (),
        "calls": (call(date(2027, 2, 14)), call(date(2027, 8, 31))),
        "visits": (visit(date(2027, 3, 31)), visit(date(2028, 2, 29)), visit(date(2028, 7, 1))),
        "mixed": (call(date(2027, 6, 30)), visit(date(2027, 7, 1)), call(date(2028, 1, 31))),
    }
    day = date(2027, 1, 1)
    while day <= date(2028, 12, 31):
        for contacts in patterns.values():
            seen = [c for c in contacts if c.on <= day]
            last_call = max((c.on for c in seen if c.kind is CALL), default=None)
            last_visit = max((c.on for c in seen if c.kind is VISIT), default=None)
            for tier in DEFAULT_CADENCE:
                found = status(tier, day, *contacts)
                contact_due, visit_due = due(tier, day, last_call, last_visit)
                expected_contact = [s.due_date for r, s in found.items() if CALL in r.kinds]
                expected_visit = [s.due_date for r, s in found.items() if CALL not in r.kinds]
                assert contact_due == min(expected_contact, default=None)
                assert visit_due == min(expected_visit, default=None)
        day += timedelta(days=1)
