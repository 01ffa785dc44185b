"""The visit cadence policy: calendar periods, the due dates stored on a child, and how overdue
they are on a later day as the reminder sweep reads them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.care.cadence import (
    DEFAULT_CADENCE,
    HOME_VISIT_MONTHLY,
    HOME_VISIT_QUARTERLY,
    Period,
    Requirement,
    VisitKind,
    next_due,
    period_bounds,
    requirements_for,
)
from bot.reminders.digests import Due, due_on

CALL = VisitKind.CONTACT
LONG_AGO = date(2020, 1, 1)


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


def home_visit_standing(stored_on: date, period: Period, today: date) -> tuple[int, int]:
    """(days overdue, periods missed in a row) of a stored home-visit due date, read on `today`."""
    standing: Due = due_on("home_visit", period, stored_on, today)
    return standing.days_overdue, standing.missed_periods


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


# --- what each tier needs ------------------------------------------------------------------


def test_low_risk__phone_call_this_month__contact_due_next_month_visit_this_quarter() -> None:
    assert due("low", date(2026, 5, 20), date(2026, 5, 3), None) == (
        date(2026, 6, 30),
        date(2026, 6, 30),
    )


def test_low_risk__home_visit_only__counts_as_the_contact() -> None:
    assert due("low", date(2026, 5, 20), None, date(2026, 5, 3)) == (
        date(2026, 6, 30),
        date(2026, 9, 30),
    )


@pytest.mark.parametrize("tier", ["medium", "high"])
def test_medium_and_high_risk__phone_call_only__monthly_visit_still_owed(tier: str) -> None:
    assert due(tier, date(2026, 5, 20), date(2026, 5, 3), None) == (None, date(2026, 5, 31))


def test_tier_change_low_to_high_on_the_15th__this_month_now_needs_a_home_visit() -> None:
    today = date(2026, 5, 15)
    assert due("low", today, date(2026, 5, 2), date(2026, 3, 20)) == (
        date(2026, 6, 30),
        date(2026, 6, 30),
    )
    assert due("high", today, date(2026, 5, 2), date(2026, 3, 20)) == (None, date(2026, 5, 31))


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


def test_contact_dated_after_today__ignored() -> None:
    assert due("high", date(2026, 5, 10), None, date(2026, 5, 11)) == (None, date(2026, 5, 31))


# --- filing, no visits, overdue: the stored date as the sweep reads it later ---------------


def test_child_with_no_visits_at_all__every_month_since_filing_is_missed() -> None:
    _, stored = due("high", date(2025, 11, 10), None, None)
    assert stored == date(2025, 11, 30)
    assert home_visit_standing(stored, Period.MONTH, date(2026, 2, 1)) == (63, 3)


def test_child_filed_mid_month__owes_this_month_and_nothing_before() -> None:
    _, stored = due("high", date(2026, 4, 15), None, None)
    assert stored == date(2026, 4, 30)
    assert home_visit_standing(stored, Period.MONTH, date(2026, 4, 16)) == (0, 0)


@pytest.mark.parametrize(
    ("filed_on", "missed"),
    [(date(2026, 1, 20), 1), (date(2026, 1, 31), 1), (date(2026, 2, 1), 0)],
)
def test_child_filed_late_last_month__last_month_owed_only_if_filed_by_its_last_day(
    filed_on: date, missed: int
) -> None:
    _, stored = due("medium", filed_on, None, None)
    assert stored is not None
    assert home_visit_standing(stored, Period.MONTH, date(2026, 2, 1))[1] == missed


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
    last_visit = today.replace(day=1) - timedelta(days=40)
    _, stored = due("high", last_visit, None, last_visit)
    assert stored is not None
    assert home_visit_standing(stored, Period.MONTH, today)[0] == days


def test_high_risk__two_months_missed_in_a_row__two_periods_overdue() -> None:
    _, stored = due("high", date(2025, 12, 10), None, date(2025, 12, 10))
    assert stored is not None
    assert home_visit_standing(stored, Period.MONTH, date(2026, 2, 1))[1] == 1
    assert home_visit_standing(stored, Period.MONTH, date(2026, 3, 1))[1] == 2


def test_high_risk__missed_months_not_adjacent__only_the_latest_run_counts() -> None:
    _, stored = due("high", date(2026, 1, 5), None, date(2026, 1, 5))
    assert stored is not None
    assert home_visit_standing(stored, Period.MONTH, date(2026, 3, 1))[1] == 1


def test_high_risk__visit_this_month_after_missed_months__due_at_the_end_of_next_month() -> None:
    assert due("high", date(2026, 3, 2), None, date(2026, 3, 1)) == (None, date(2026, 4, 30))


def test_low_risk__no_home_visit_last_quarter__quarter_overdue_from_dec_31() -> None:
    contact_due, visit_due = due("low", date(2026, 1, 2), date(2026, 1, 2), date(2025, 8, 12))
    assert contact_due == date(2026, 2, 28)
    _, stored_visit = due("low", date(2025, 8, 12), None, date(2025, 8, 12))
    assert stored_visit == date(2025, 12, 31) and visit_due == date(2026, 3, 31)
    assert home_visit_standing(stored_visit, Period.QUARTER, date(2026, 1, 1)) == (1, 1)
    assert home_visit_standing(stored_visit, Period.QUARTER, date(2026, 1, 5)) == (5, 0)


# --- custom tables -------------------------------------------------------------------------


def test_custom_cadence__table_passed_in_replaces_the_defaults() -> None:
    weekly_calls_are_not_a_thing = Requirement(frozenset({CALL}), Period.MONTH)
    table = {
        "low": (HOME_VISIT_QUARTERLY,),
        "watch": (HOME_VISIT_MONTHLY, weekly_calls_are_not_a_thing),
    }
    low = next_due(
        tier="low",
        filed_on=LONG_AGO,
        last_contact_on=date(2026, 5, 3),
        last_visit_on=None,
        today=date(2026, 5, 20),
        cadence=table,
    )
    assert low == (None, date(2026, 6, 30))
    with pytest.raises(ValueError):
        next_due(
            tier="high",
            filed_on=LONG_AGO,
            last_contact_on=None,
            last_visit_on=None,
            today=date(2026, 5, 20),
            cadence=table,
        )
    # A home visit does not satisfy a calls-only requirement: kinds are taken literally.
    watch = next_due(
        tier="watch",
        filed_on=LONG_AGO,
        last_contact_on=None,
        last_visit_on=date(2026, 5, 3),
        today=date(2026, 5, 20),
        cadence=table,
    )
    assert watch == (date(2026, 5, 31), date(2026, 6, 30))


# --- next due dates for the child row ------------------------------------------------------


def test_next_due__low_risk_phone_call_this_month__next_month_and_this_quarter() -> None:
    assert due("low", date(2026, 5, 20), date(2026, 5, 3), date(2026, 2, 1)) == (
        date(2026, 6, 30),
        date(2026, 6, 30),
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


def test_next_due__every_day_of_two_years__this_period_end_until_done_then_the_next() -> None:
    patterns = {
        "nothing": (None, None),
        "called": (date(2027, 2, 14), None),
        "visited": (None, date(2027, 3, 31)),
        "both": (date(2027, 6, 30), date(2027, 7, 1)),
    }
    day = date(2027, 1, 1)
    while day <= date(2028, 12, 31):
        for last_call, last_visit in patterns.values():
            seen_call = last_call if last_call and last_call <= day else None
            seen_visit = last_visit if last_visit and last_visit <= day else None
            for tier in DEFAULT_CADENCE:
                contact_due, visit_due = due(tier, day, last_call, last_visit)
                for requirement in requirements_for(tier):
                    start, this_end = period_bounds(day, requirement.period)
                    next_end = period_bounds(this_end + timedelta(days=1), requirement.period)[1]
                    fitting = [seen_visit] + ([seen_call] if CALL in requirement.kinds else [])
                    done = any(d is not None and d >= start for d in fitting)
                    stored = contact_due if CALL in requirement.kinds else visit_due
                    assert stored == (next_end if done else this_end)
        day += timedelta(days=1)


# --- a new file ----------------------------------------------------------------------------


@pytest.mark.parametrize("tier", ["low", "medium", "high"])
def test_child_filed_on_the_31st__not_overdue_the_next_day(tier: str) -> None:
    filed = date(2026, 1, 31)
    contact_due, visit_due = next_due(
        tier=tier, filed_on=filed, last_contact_on=None, last_visit_on=None, today=filed
    )
    assert visit_due is not None and visit_due > date(2026, 2, 1)
    assert contact_due is None or contact_due > date(2026, 2, 1)
    period = Period.QUARTER if tier == "low" else Period.MONTH
    assert home_visit_standing(visit_due, period, date(2026, 2, 1)) == (0, 0)


def test_child_filed_mid_month__first_visit_due_by_the_end_of_the_next_month() -> None:
    filed = date(2026, 4, 15)
    for today in (filed, date(2026, 5, 3)):
        _, visit_due = next_due(
            tier="high", filed_on=filed, last_contact_on=None, last_visit_on=None, today=today
        )
        assert visit_due == date(2026, 5, 31)


def test_child_filed_long_ago__never_visited__owes_the_current_period() -> None:
    _, visit_due = next_due(
        tier="high",
        filed_on=date(2026, 4, 15),
        last_contact_on=None,
        last_visit_on=None,
        today=date(2026, 6, 10),
    )
    assert visit_due == date(2026, 6, 30)
