"""Apply the visit cadence by risk tier (plan section 4) as a data table and pure date math."""

# Periods are calendar months and quarters in the bot's local time zone. The tier passed in is
# the tier in force now and judges every period asked about: a tier change takes effect for the
# current period as if the whole period had been under the new tier. No tier history is kept, so
# `tier_since` lets a caller keep older periods from being judged by a tier they were never under.

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo


class VisitKind(StrEnum):
    """Name how a director reached the child."""

    HOME_VISIT = "home_visit"
    CONTACT = "contact"  # phone or video call


class Period(StrEnum):
    """Name the calendar period a requirement repeats over."""

    MONTH = "month"
    QUARTER = "quarter"


@dataclass(frozen=True)
class Requirement:
    """Require at least one contact of one of `kinds` in every `period`."""

    kinds: frozenset[VisitKind]
    period: Period


CONTACT_OR_VISIT_MONTHLY = Requirement(
    frozenset({VisitKind.CONTACT, VisitKind.HOME_VISIT}), Period.MONTH
)
HOME_VISIT_MONTHLY = Requirement(frozenset({VisitKind.HOME_VISIT}), Period.MONTH)
HOME_VISIT_QUARTERLY = Requirement(frozenset({VisitKind.HOME_VISIT}), Period.QUARTER)

Cadence = Mapping[str, tuple[Requirement, ...]]

# Read-only so a caller cannot change the defaults for every other caller by accident.
DEFAULT_CADENCE: Cadence = MappingProxyType(
    {
        "low": (CONTACT_OR_VISIT_MONTHLY, HOME_VISIT_QUARTERLY),
        "medium": (HOME_VISIT_MONTHLY,),
        "high": (HOME_VISIT_MONTHLY,),
    }
)


@dataclass(frozen=True)
class Contact:
    """Record one contact with a child on a local calendar date."""

    on: date
    kind: VisitKind


@dataclass(frozen=True)
class RequirementStatus:
    """Describe where one requirement stands on a given day."""

    requirement: Requirement
    period_start: date
    period_end: date
    done: bool
    due_date: date  # end of this period if not done, else end of the next one
    days_overdue_previous: int  # 0 unless the previous period was owed and missed
    overdue_periods: int  # consecutive missed periods right before this one
    last_satisfying: date | None


def to_local_date(moment: datetime, tz: ZoneInfo) -> date:
    """Return the calendar date of an aware datetime in the given time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time could be UTC or local; guessing moves late-evening visits across months.
        raise ValueError("expected an aware datetime")
    return moment.astimezone(tz).date()


def _index(day: date, period: Period) -> int:
    """Number the period holding `day` so that consecutive periods differ by one."""
    if period is Period.MONTH:
        return day.year * 12 + day.month - 1
    return day.year * 4 + (day.month - 1) // 3


def _bounds_of(index: int, period: Period) -> tuple[date, date]:
    """Return the first and last day of the numbered period."""
    months = 1 if period is Period.MONTH else 3
    year, slot = divmod(index, 12 // months)
    first_month = slot * months + 1
    last_month = first_month + months - 1
    last_day = calendar.monthrange(year, last_month)[1]
    return date(year, first_month, 1), date(year, last_month, last_day)


def period_bounds(day: date, period: Period) -> tuple[date, date]:
    """Return the first and last day of the month or quarter holding `day`."""
    return _bounds_of(_index(day, period), period)


def requirements_for(tier: str, cadence: Cadence = DEFAULT_CADENCE) -> tuple[Requirement, ...]:
    """Return the requirements of a risk tier, refusing tiers the table does not know."""
    try:
        return cadence[tier]
    except KeyError:
        # A silent empty tuple would mean "never due" and hide a child from every reminder.
        raise ValueError(f"unknown risk tier {tier!r}") from None


def _owed_from(filed_on: date, tier_since: date | None) -> date:
    """Return the first day whose period is owed under the current tier."""
    return filed_on if tier_since is None else max(filed_on, tier_since)


def _satisfying(requirement: Requirement, contacts: Iterable[Contact], today: date) -> list[date]:
    """Return dates of contacts that satisfy the requirement, ignoring future-dated ones."""
    # A date after today is a typo or clock skew; counting it would mark a period done early.
    return [c.on for c in contacts if c.kind in requirement.kinds and c.on <= today]


def overdue_periods(
    requirement: Requirement,
    *,
    filed_on: date,
    contacts: Sequence[Contact],
    today: date,
    tier_since: date | None = None,
) -> int:
    """Count consecutive owed periods right before today's period that the requirement missed."""
    met = {_index(d, requirement.period) for d in _satisfying(requirement, contacts, today)}
    first_owed = _index(_owed_from(filed_on, tier_since), requirement.period)
    index = _index(today, requirement.period) - 1
    missed = 0
    while index >= first_owed and index not in met:
        missed += 1
        index -= 1
    return missed


def requirement_status(
    *,
    tier: str,
    filed_on: date,
    contacts: Sequence[Contact],
    today: date,
    cadence: Cadence = DEFAULT_CADENCE,
    tier_since: date | None = None,
) -> list[RequirementStatus]:
    """Return the status of each requirement of the child's current tier on `today`."""
    statuses = []
    for requirement in requirements_for(tier, cadence):
        current = _index(today, requirement.period)
        start, end = _bounds_of(current, requirement.period)
        dates = _satisfying(requirement, contacts, today)
        last = max(dates, default=None)
        done = last is not None and last >= start
        missed = overdue_periods(
            requirement, filed_on=filed_on, contacts=contacts, today=today, tier_since=tier_since
        )
        statuses.append(
            RequirementStatus(
                requirement=requirement,
                period_start=start,
                period_end=end,
                done=done,
                due_date=_bounds_of(current + 1, requirement.period)[1] if done else end,
                days_overdue_previous=(today - (start - timedelta(days=1))).days if missed else 0,
                overdue_periods=missed,
                last_satisfying=last,
            )
        )
    return statuses


def next_due(
    *,
    tier: str,
    filed_on: date,
    last_contact_on: date | None,
    last_visit_on: date | None,
    today: date,
    cadence: Cadence = DEFAULT_CADENCE,
) -> tuple[date | None, date | None]:
    """Return (next_contact_due, next_visit_due) to store on the child row for the daily sweep."""
    # last_contact_on is the latest phone/video contact, last_visit_on the latest home visit.
    # A requirement a phone/video contact can satisfy drives next_contact_due, one only a home
    # visit satisfies drives next_visit_due; None means the tier has no such requirement.
    # filed_on is unused but kept for symmetry: the current period is owed however late filed.
    latest = {VisitKind.CONTACT: last_contact_on, VisitKind.HOME_VISIT: last_visit_on}
    contact_due: date | None = None
    visit_due: date | None = None
    for requirement in requirements_for(tier, cadence):
        # Periods are calendar-aligned, so this period is met iff the latest fitting date is in it.
        dates = [d for k, d in latest.items() if k in requirement.kinds and d and d <= today]
        current = _index(today, requirement.period)
        start, end = _bounds_of(current, requirement.period)
        done = bool(dates) and max(dates) >= start
        due = _bounds_of(current + 1, requirement.period)[1] if done else end
        if VisitKind.CONTACT in requirement.kinds:
            contact_due = due if contact_due is None else min(contact_due, due)
        else:
            visit_due = due if visit_due is None else min(visit_due, due)
    return contact_due, visit_due
