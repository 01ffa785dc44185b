"""The daily digests' building blocks: one streaming pass over the children with visits due.

At a million children a sweep makes some 67,000 messages of 1.7 million lines, so per-row work
is kept to a minimum: Core rows rather than ORM objects, plain tuples for due visits. A digest
is stored as parameters (its distinct line shapes, then each line's shape, child and name) and
rendered when it is sent (bot/notify/render.py), where each shape is formatted once per locale
with only the child's name filled in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import Any, TypeVar

from sqlmodel import Session

from bot.care.cadence import Period, period_bounds, requirements_for
from bot.notify.notification import Notification
from bot.reminders.texts import escape
from bot.reply import Reply
from storage import reminder_queries
from storage.recipient_queries import Recipient

DUE_WITHIN = timedelta(days=7)

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class Digest:
    """One notification for one recipient; `message` is its text once rendered (previews)."""

    recipient: Recipient
    kind: str  # director, overdue or county
    notice: Notification
    message: Reply | None = None


@dataclass(frozen=True, eq=False, slots=True)
class Due:
    """Where a kind of visit due on a date stands today; shared by every child in that case.

    Compared by identity: a sweep makes one per kind, period and date, so the lines made from
    it are looked up by it without building a key.
    """

    kind: str  # contact or home_visit
    on: date
    days_overdue: int
    missed_periods: int  # in a row, if its period ended yesterday; 0 otherwise


# A due visit: (date, child's name, child id, kind, its Due, the name HTML-escaped). Plain tuples
# are the cheapest thing to build a million times, and sort with no key function: by urgency,
# then name, then child id and kind, which settle ties the database order used to settle (and
# that order varied with the query plan).
Item = tuple[date, str, int, str, Due, str]


class Memo(dict[K, V]):
    """A dict that computes each missing value once, so hot loops can look values up by index."""

    def __init__(self, compute: Callable[[K], V]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: K) -> V:
        value = self[key] = self._compute(key)
        return value


@cache
def column_periods(tier: str) -> dict[str, Period]:
    """Which period each stored due date (contact, home_visit) follows for a tier."""
    periods: dict[str, Period] = {}
    for requirement in requirements_for(tier):
        column = "contact" if "contact" in requirement.kinds else "home_visit"
        periods.setdefault(column, requirement.period)
    return periods


def periods_between(due: date, ended: date, period: Period) -> int:
    """How many whole periods from the one ending on `due` to the one ending on `ended`."""
    count, end = 0, due
    while end <= ended:
        count += 1
        end = period_bounds(end + timedelta(days=1), period)[1]
    return count


def due_on(kind: str, period: Period, on: date, today: date) -> Due:
    """Where a visit of `kind` due on `on`, under a requirement repeating each `period`, stands."""
    ended = today - timedelta(days=1)
    missed = 0
    if on <= ended and period_bounds(ended, period)[1] == ended:
        missed = periods_between(on, ended, period)
    return Due(kind, on, max(0, (today - on).days), missed)


def _tier_columns(tier: str) -> tuple[Period | None, Period | None]:
    periods = column_periods(tier)
    return periods.get("contact"), periods.get("home_visit")


def villages_due(
    session: Session, today: date, *, horizon: date | None = None, area_prefix: str = ""
) -> Iterator[tuple[str, list[Item]]]:
    """Yield each village with visits due by `horizon` (a week from today unless given), the
    most urgent first; only the villages of an area when `area_prefix` is given.

    Children are read in a stream, so memory stays flat at any scale.
    """
    horizon = today + DUE_WITHIN if horizon is None else horizon
    columns = Memo(_tier_columns)
    dues: Memo[tuple[str, Period, date], Due] = Memo(lambda key: due_on(*key, today))
    rows_due = reminder_queries.due_rows(session=session, horizon=horizon, area_prefix=area_prefix)
    for village, rows in groupby(rows_due, key=itemgetter(0)):
        items: list[Item] = []
        for _, child_id, name, tier, contact_due, visit_due in rows:
            contact_period, visit_period = columns[tier]
            # Inline, not a call: a million children, nearly none with a character to escape.
            shown = escape(name) if "&" in name or "<" in name or ">" in name else name
            if contact_period is not None and contact_due is not None and contact_due <= horizon:
                due = dues["contact", contact_period, contact_due]
                items.append((contact_due, name, child_id, "contact", due, shown))
            if visit_period is not None and visit_due is not None and visit_due <= horizon:
                due = dues["home_visit", visit_period, visit_due]
                items.append((visit_due, name, child_id, "home_visit", due, shown))
        if items:
            items.sort()
            yield village, items


ShapeRow = tuple[str, str, int]  # kind, ISO date, and the number its line shows


class Shapes(dict[Due, int]):
    """A message's distinct line shapes (a Due each), numbered in order of first use.

    Looked up as `shapes[due]`: a plain dict lookup for every line but each shape's first.
    """

    def __init__(self, rows_of: Memo[Due, ShapeRow]) -> None:
        super().__init__()
        self.rows_of = rows_of  # shared by a sweep's messages: each row is made once
        self.rows: list[ShapeRow] = []

    def __missing__(self, due: Due) -> int:
        number = self[due] = len(self.rows)
        self.rows.append(self.rows_of[due])
        return number


def director_rows() -> Memo[Due, ShapeRow]:
    """Directors' line shapes: a due visit's kind, date and days overdue."""
    return Memo(lambda due: (due.kind, due.on.isoformat(), due.days_overdue))


def overdue_rows() -> Memo[Due, ShapeRow]:
    """Alerts' line shapes: a missed visit's kind, date and periods missed in a row."""
    return Memo(lambda due: (due.kind, due.on.isoformat(), due.missed_periods))


def director_lines(items: list[Item], rows_of: Memo[Due, ShapeRow]) -> dict[str, Any]:
    """A village's due visits (most urgent first) as digest parameters: the shapes, then each
    line's shape, child id and name in three parallel columns.

    Columns rather than a tuple per line: a sweep keeps hundreds of thousands of lines in
    hand, and tuples would each be one more object for the garbage collector to walk.
    """
    shapes = Shapes(rows_of)
    _, names, child_ids, _, dues, _ = zip(*items, strict=True)  # columns, in C
    return {
        "shapes": shapes.rows,
        "line_shapes": tuple(map(shapes.__getitem__, dues)),
        "child_ids": child_ids,
        "names": names,
    }


NO_LINES: dict[str, Any] = {"shapes": [], "line_shapes": (), "child_ids": (), "names": ()}


def director_notice(
    lines: dict[str, Any], stale_titles: list[str], no_id: Sequence[str] = ()
) -> Notification:
    """A director's digest of a village's due visits and forgotten drafts, to render when sent;
    with the names of children still without an ID number, when there are any."""
    extra = {"no_id": list(no_id)} if no_id else {}
    return Notification("reminder.director", {**NO_LINES, **lines, "stale": stale_titles, **extra})
