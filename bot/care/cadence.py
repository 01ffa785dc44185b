"""Apply the visit cadence by risk tier (plan section 4) as a data table and pure date math."""

# Periods are calendar months and quarters in the bot's local time zone. The tier passed in is
# the tier in force now: a tier change takes effect for the current period as if the whole period
# had been under the new tier. The due dates `next_due` gives are stored on the child row; how
# overdue they are on a later day is the reminder sweep's business (bot/reminders/digests.py).

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType


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
    # A new file owes nothing for the period it was filed in: its first visit is due by the end
    # of the next period, so a child filed on the 31st is not overdue the next day.
    latest = {VisitKind.CONTACT: last_contact_on, VisitKind.HOME_VISIT: last_visit_on}
    contact_due: date | None = None
    visit_due: date | None = None
    for requirement in requirements_for(tier, cadence):
        # Periods are calendar-aligned, so this period is met iff the latest fitting date is in it.
        dates = [d for k, d in latest.items() if k in requirement.kinds and d and d <= today]
        current = _index(today, requirement.period)
        start, end = _bounds_of(current, requirement.period)
        done = bool(dates) and max(dates) >= start
        first_owed = _index(filed_on, requirement.period) + 1
        due = _bounds_of(max(current + 1, first_owed), requirement.period)[1] if done else end
        if not done and first_owed > current:
            due = _bounds_of(first_owed, requirement.period)[1]
        if VisitKind.CONTACT in requirement.kinds:
            contact_due = due if contact_due is None else min(contact_due, due)
        else:
            visit_due = due if visit_due is None else min(visit_due, due)
    return contact_due, visit_due
