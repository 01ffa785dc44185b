"""Which visits the cadence (bot/care/cadence.py) asks for within a month or a quarter.

A requirement repeating each month owes one visit in every month of the period that has begun
by the day asked about; one repeating each quarter owes one in the quarter. A month's figures
count only the month's own requirements (a quarterly home visit is not owed in any one month).
Each owed visit is a `Slot`: the tiers that owe it, the kinds that satisfy it, and its days.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from bot.care.cadence import DEFAULT_CADENCE, Cadence, Period, period_bounds
from storage.stats_queries import Slot

PERIODS = {"month": Period.MONTH, "quarter": Period.QUARTER}


def _months(start: date, last: date) -> list[tuple[date, date]]:
    months = []
    day = start
    while day <= last:
        first, end = period_bounds(day, Period.MONTH)
        months.append((first, end))
        day = end + timedelta(days=1)
    return months


def compliance_slots(period: str, today: date, cadence: Cadence = DEFAULT_CADENCE) -> list[Slot]:
    """The visits owed in the month or quarter holding `today`, up to today's month."""
    span = PERIODS[period]
    start, end = period_bounds(today, span)
    tiers_of: dict[tuple[tuple[str, ...], date, date], list[str]] = defaultdict(list)
    for tier, requirements in cadence.items():
        for requirement in requirements:
            kinds = tuple(sorted(requirement.kinds))
            if requirement.period is Period.MONTH:
                for first, last in _months(start, min(end, today)):
                    tiers_of[kinds, first, last].append(tier)
            elif span is Period.QUARTER:
                tiers_of[kinds, start, end].append(tier)
    return [
        Slot(tuple(sorted(tiers)), kinds, first, last, period)
        for (kinds, first, last), tiers in sorted(tiers_of.items())
    ]


def month_slots(first: date, cadence: Cadence = DEFAULT_CADENCE) -> list[Slot]:
    """The visits owed in one whole month (the roll-up's previous month)."""
    last = period_bounds(first, Period.MONTH)[1]
    return compliance_slots("month", last, cadence)
