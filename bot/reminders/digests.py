"""The daily digests' building blocks: one streaming pass over the children with visits due.

At a million children a sweep makes some 67,000 messages of 1.7 million lines, so per-row work
is kept to a minimum: Core rows rather than ORM objects, plain tuples for due visits, and each
distinct line (kind, due date, locale) formatted once, with only the child's name filled in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import select
from sqlmodel import Session, col

from bot.care.cadence import Period, period_bounds, requirements_for
from bot.i18n import default_i18n
from bot.reminders.texts import LineParts, ReminderTexts, director_text, escape, visit_buttons
from bot.reply import Reply
from storage.child_models import Child
from storage.models import Role, Staff

DUE_WITHIN = timedelta(days=7)
ROWS_PER_FETCH = 5_000

K = TypeVar("K")
V = TypeVar("V")


class Recipient(NamedTuple):
    """The staff columns a digest needs; loading whole Staff objects cost too much at scale."""

    id: int
    role: str
    org_code: str
    name: str | None
    locale: str | None
    telegram_user_id: int


@dataclass(frozen=True)
class Digest:
    """One message for one recipient."""

    recipient: Recipient
    kind: str  # director, overdue or county
    message: Reply


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


def _due_rows(session: Session, horizon: date, area_prefix: str) -> Iterable[Any]:
    """Open children of an area with a due date on or before `horizon`, village by village."""
    statement = (
        select(
            col(Child.village_code),
            col(Child.id),
            col(Child.name),
            col(Child.risk_tier),
            col(Child.next_contact_due),
            col(Child.next_visit_due),
        )
        .where(
            col(Child.closed).is_(False),
            col(Child.village_code).startswith(area_prefix),
            (col(Child.next_contact_due) <= horizon) | (col(Child.next_visit_due) <= horizon),
        )
        .order_by(col(Child.village_code))
    )
    # Core on the session's connection: the ORM's per-row work doubled the time of this read.
    connection = session.connection()
    return connection.execute(statement, execution_options={"yield_per": ROWS_PER_FETCH})


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
    for village, rows in groupby(_due_rows(session, horizon, area_prefix), key=itemgetter(0)):
        items: list[Item] = []
        for _, child_id, name, tier, contact_due, visit_due in rows:
            contact_period, visit_period = columns[tier]
            shown = escape(name)
            if contact_period is not None and contact_due is not None and contact_due <= horizon:
                due = dues["contact", contact_period, contact_due]
                items.append((contact_due, name, child_id, "contact", due, shown))
            if visit_period is not None and visit_due is not None and visit_due <= horizon:
                due = dues["home_visit", visit_period, visit_due]
                items.append((visit_due, name, child_id, "home_visit", due, shown))
        if items:
            items.sort()
            yield village, items


def recipients(session: Session, role: Role) -> dict[str, list[Recipient]]:
    """Active, enrolled staff of a role by unit, in id order."""
    statement = (
        select(
            col(Staff.id),
            col(Staff.role),
            col(Staff.org_code),
            col(Staff.name),
            col(Staff.locale),
            col(Staff.telegram_user_id),
        )
        .where(
            col(Staff.role) == role.value,
            col(Staff.active).is_(True),
            col(Staff.telegram_user_id).is_not(None),
        )
        .order_by(col(Staff.id))
    )
    by_unit: dict[str, list[Recipient]] = defaultdict(list)
    for row in session.connection().execute(statement):
        recipient = Recipient._make(row)  # the query keeps only rows with a Telegram account
        by_unit[recipient.org_code].append(recipient)
    return by_unit


class Lines:
    """One locale's texts for a sweep; each distinct line is formatted once for all children."""

    def __init__(self, texts: ReminderTexts) -> None:
        self.texts = texts
        self.director: Memo[Due, LineParts] = Memo(
            lambda due: texts.director_line(due.kind, due.on, due.days_overdue)
        )
        self.overdue: Memo[Due, LineParts] = Memo(
            lambda due: texts.overdue_line(due.kind, due.on, due.missed_periods)
        )


def lines_by_locale() -> Memo[str | None, Lines]:
    """Each recipient locale's lines, made on first use."""
    i18n = default_i18n()
    return Memo(lambda locale: Lines(ReminderTexts(i18n.translator(locale))))


def director_message(lines: Lines, items: list[Item], stale_titles: list[str]) -> Reply:
    """A director's digest of a village's due visits (most urgent first) and forgotten drafts."""
    children = {item[2]: item[1] for item in items}  # in order of first mention
    director = lines.director
    body = [shown.join(director[due]) for _, _, _, _, due, shown in items]
    texts = lines.texts
    buttons = visit_buttons(texts, children)
    buttons.append([texts.snooze_button])
    return Reply(director_text(texts, len(children), body, stale_titles), buttons)
