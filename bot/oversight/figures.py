"""The figures of an area and of the units under it, for the statistics screen and the roll-up.

Every number comes from an aggregate query in storage/stats_queries.py; this module only picks
the area (refusing one outside the caller's), the periods, and sums the few rows per unit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.errors import AccessDenied, UserError
from bot.forms.intake import INTAKE
from bot.i18n import N_
from bot.oversight.periods import compliance_slots
from bot.people.access import Caller
from bot.people.orgs import PREFIX_LENGTH, prefix_of
from bot.people.roles import Action, scope_of
from storage import staff_ledger_queries, staffing_queries, stats_queries
from storage.db import Database
from storage.models import OrgLevel

# Section 17 of the plan: a village with more children than this per director needs another.
CHILDREN_PER_DIRECTOR = 30
# Open escalations are grouped by age: under a day, under three days, under a week, older.
AGE_LIMITS = (timedelta(days=1), timedelta(days=3), timedelta(days=7))
CATEGORIES = ("left_behind", "difficulty")
TIERS = ("low", "medium", "high")
LEVELS = ("township", "county", "city", "province")
SHORT_LIST = 15  # villages named under a township's figures, at most


@dataclass(frozen=True)
class Ratio:
    """Visits done against visits required."""

    done: int = 0
    required: int = 0

    @property
    def percent(self) -> int | None:
        return None if not self.required else round(100 * self.done / self.required)

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.done + other.done, self.required + other.required)


@dataclass
class UnitFigures:
    """One unit's row (or the whole area's totals)."""

    code: str
    name: str
    children: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    difficulties: Counter[str] = field(default_factory=Counter)
    tiers: Counter[str] = field(default_factory=Counter)
    overdue: int = 0
    month: Ratio = Ratio()
    quarter: Ratio = Ratio()
    drafts: int = 0
    villages: int = 0
    directors: int = 0
    without_director: int = 0
    overloaded: int = 0
    pending_review: int = 0  # new or changed files waiting for the supervisor (bot.lifecycle)
    returned: int = 0  # files the supervisor returned to the director
    to_train: int = 0  # active directors and supervisors (section 17: all trained yearly)
    trained: int = 0  # of them, those at a training this year

    def add(self, other: UnitFigures) -> None:
        """Add another unit's figures into these (the area's totals)."""
        self.children += other.children
        self.categories.update(other.categories)
        self.difficulties.update(other.difficulties)
        self.tiers.update(other.tiers)
        self.overdue += other.overdue
        self.month += other.month
        self.quarter += other.quarter
        self.drafts += other.drafts
        self.villages += other.villages
        self.directors += other.directors
        self.without_director += other.without_director
        self.overloaded += other.overloaded
        self.pending_review += other.pending_review
        self.returned += other.returned
        self.to_train += other.to_train
        self.trained += other.trained


@dataclass(frozen=True)
class AreaFigures:
    """An area's totals, its units' rows, and what the screen needs around them."""

    code: str
    name: str
    level: str
    parent: str | None  # the unit above, when it is still inside the caller's area
    today: date
    total: UnitFigures
    units: list[UnitFigures]
    escalations: dict[str, list[int]]  # level -> counts by age group (len(AGE_LIMITS) + 1)
    short_villages: list[tuple[str, int, int]] = field(default_factory=list)  # name, kids, dirs


def may_view(caller: Caller) -> bool:
    return scope_of(caller.role, Action.VIEW_STATS) is not None


def check_area(caller: Caller, code: str) -> None:
    """Refuse statistics to a role without them, or of an area outside the caller's."""
    if not may_view(caller):
        raise AccessDenied(N_("stats.error.not_allowed"), table="stats", record_id=code)
    if not caller.sees(code):
        raise AccessDenied(N_("stats.error.outside_area"), table="org_unit", record_id=code)


def _unit_length(units: list[stats_queries.UnitRow], code: str, level: str) -> int:
    """Group by the longest prefix among the units under (counties directly under a province
    share the province's first four digits with no city), or the area itself when none."""
    if not units:
        return len(prefix_of(code, level))
    return max(PREFIX_LENGTH[OrgLevel(u.level)] for u in units)


def _owner(key: str, prefixes: list[tuple[str, UnitFigures]]) -> UnitFigures | None:
    return next((row for prefix, row in prefixes if key.startswith(prefix)), None)


@dataclass(frozen=True)
class Layout:
    """An area, the rows of the units under it (or its own row), and how query rows map to them."""

    area: stats_queries.UnitRow
    prefix: str
    unit_length: int
    rows: list[UnitFigures]
    by_prefix: list[tuple[str, UnitFigures]]
    has_units: bool

    def owner(self, key: str) -> UnitFigures | None:
        """The row a query's unit key falls under."""
        return _owner(key, self.by_prefix)


def layout(*, session: Session, caller: Caller, code: str) -> Layout:
    """The area with `code` as the caller may see it (else AccessDenied), with its units."""
    check_area(caller, code)
    area = stats_queries.unit(session=session, code=code)
    if area is None:
        raise UserError(N_("stats.error.unknown_area"), code=code)
    units = stats_queries.units_under(session=session, code=code)
    prefix = prefix_of(area.code, area.level)
    rows = [UnitFigures(u.code, u.name) for u in units]
    by_prefix = [(prefix_of(r.code, u.level), r) for r, u in zip(rows, units, strict=True)]
    if not units:
        rows = [UnitFigures(area.code, area.name)]
        by_prefix = [(prefix, rows[0])]
    length = _unit_length(units, area.code, area.level)
    return Layout(area, prefix, length, rows, by_prefix, bool(units))


def area_figures(
    *, db: Database, caller: Caller, code: str, today: date, now: datetime, tz: ZoneInfo
) -> AreaFigures:
    """The figures of the area with `code` for a caller who may see it (else AccessDenied).

    The three heavy reads (children, past visits, staffing and the rest) run side by side, each
    in a read transaction of its own: on a province they take about the same time, and both
    SQLite and PostgreSQL work them on separate cores. Their snapshots may differ by the
    moments between them, which statistics can bear.
    """
    found = db.read(lambda s: layout(session=s, caller=caller, code=code))
    prefix, length = found.prefix, found.unit_length
    slots = compliance_slots("month", today) + compliance_slots("quarter", today)
    # A slot of the period holding today is met by the latest visit stored on the child; only
    # the months already over need the visits themselves.
    current = [slot for slot in slots if slot.end >= today]
    past = [slot for slot in slots if slot.end < today]
    windows = sorted({stats_queries.Window(slot.kinds, slot.start) for slot in current})
    work: dict[str, Callable[[Session], Any]] = {
        "counts": lambda s: stats_queries.child_counts(
            session=s, area_prefix=prefix, unit_length=length, today=today, windows=windows
        ),
        "done": lambda s: stats_queries.visits_done(
            session=s, area_prefix=prefix, unit_length=length, slots=past
        ),
        "rest": lambda s: _the_rest(s, caller, found, now),
    }
    with ThreadPoolExecutor(max_workers=len(work), thread_name_prefix="stats") as pool:
        futures = {name: pool.submit(db.read, read) for name, read in work.items()}
        results = {name: future.result() for name, future in futures.items()}
    for count in results["counts"]:
        row = found.owner(count.unit)
        if row is None:
            continue
        add_children(row, count)
        for slot in current:
            if count.risk_tier in slot.tiers:
                seen = count.recent[windows.index(stats_queries.Window(slot.kinds, slot.start))]
                _add_ratio(row, slot.period, Ratio(seen, 0))
    add_owed(found.by_prefix, slots)
    add_done(found.by_prefix, past, results["done"])
    rest: _Rest = results["rest"]
    for key, number in rest.drafts.items():
        row = found.owner(key)
        if row is not None:
            row.drafts += number
    for staffed in rest.staffing:
        row = found.owner(staffed.unit)
        if row is not None:
            row.villages += staffed.villages
            row.directors += staffed.directors
            row.without_director += staffed.without_director
            row.overloaded += staffed.overloaded
    for (key, state), number in rest.reviews.items():
        row = found.owner(key)
        if row is not None and state == "pending":
            row.pending_review += number
        elif row is not None and state == "returned":
            row.returned += number
    for key, (staff, trained) in rest.training.items():
        row = found.owner(key)
        if row is not None:
            row.to_train += staff
            row.trained += trained
    area = found.area
    total = UnitFigures(area.code, area.name)
    for row in found.rows:
        total.add(row)
    return AreaFigures(
        area.code,
        area.name,
        area.level,
        rest.parent,
        today,
        total,
        found.rows if found.has_units else [],
        rest.escalations,
        rest.short_villages,
    )


@dataclass(frozen=True)
class _Rest:
    """The light figures, read together: drafts, staffing, escalations, the way up."""

    drafts: dict[str, int]
    staffing: list[staffing_queries.Staffing]
    escalations: dict[str, list[int]]
    parent: str | None
    short_villages: list[tuple[str, int, int]]
    training: dict[str, tuple[int, int]]  # unit -> (staff to train, trained this year)
    reviews: dict[tuple[str, str], int]  # (unit, review state) -> open files


def _the_rest(session: Session, caller: Caller, found: Layout, now: datetime) -> _Rest:
    prefix, length, area = found.prefix, found.unit_length, found.area
    drafts = stats_queries.drafts_in_progress(
        session=session, area_prefix=prefix, unit_length=length, forms=[INTAKE.name]
    )
    staffing = staffing_queries.staffing(
        session=session,
        area_prefix=prefix,
        unit_length=length,
        children_per_director=CHILDREN_PER_DIRECTOR,
    )
    parent = stats_queries.parent_code(session=session, code=area.code)
    if parent is not None and not caller.sees(parent):
        parent = None
    short: list[tuple[str, int, int]] = []
    if area.level in (OrgLevel.TOWNSHIP, OrgLevel.VILLAGE):
        needing = staffing_queries.villages_needing_directors(
            session=session,
            area_prefix=prefix,
            children_per_director=CHILDREN_PER_DIRECTOR,
            limit=SHORT_LIST,
        )
        names = stats_queries.names_of(session=session, codes=[v.code for v in needing])
        short = [(names.get(v.code, v.code), v.children, v.directors) for v in needing]
    training = staff_ledger_queries.training_by_unit(
        session=session, area_prefix=prefix, unit_length=length, year=now.year
    )
    reviews = stats_queries.reviews_by_unit(session=session, area_prefix=prefix, unit_length=length)
    return _Rest(
        drafts, staffing, _escalations(session, prefix, now), parent, short, training, reviews
    )


def add_children(row: UnitFigures, count: stats_queries.ChildCount) -> None:
    """Add one group of children to a unit's row."""
    row.children += count.children
    row.overdue += count.overdue
    row.categories[count.category] += count.children
    if count.difficulty_type:
        row.difficulties[count.difficulty_type] += count.children
    row.tiers[count.risk_tier] += count.children


def add_owed(by_prefix: list[tuple[str, UnitFigures]], slots: list[stats_queries.Slot]) -> None:
    """Add each slot's owed visits (the unit's children of its tiers, counted already) to the
    unit's ratio of the slot's period."""
    for _, row in by_prefix:
        for slot in slots:
            owed = sum(row.tiers.get(tier, 0) for tier in slot.tiers)
            _add_ratio(row, slot.period, Ratio(0, owed))


def add_done(
    by_prefix: list[tuple[str, UnitFigures]],
    slots: list[stats_queries.Slot],
    found: list[stats_queries.VisitsDone],
) -> None:
    """Add the visits done of each slot (a `visits_done` answer) to the units' ratios."""
    for done_in_unit in found:
        row = _owner(done_in_unit.unit, by_prefix)
        if row is not None:
            for slot, done in zip(slots, done_in_unit.done, strict=True):
                _add_ratio(row, slot.period, Ratio(done, 0))


def _add_ratio(row: UnitFigures, period: str, ratio: Ratio) -> None:
    if period == "month":
        row.month += ratio
    else:
        row.quarter += ratio


def _escalations(session: Session, prefix: str, now: datetime) -> dict[str, list[int]]:
    limits = [now - age for age in AGE_LIMITS]
    table = {level: [0] * (len(AGE_LIMITS) + 1) for level in LEVELS}
    for found in stats_queries.open_escalations(
        session=session, area_prefix=prefix, unit_length=len(prefix), raised_after=limits
    ):
        table.setdefault(found.level, [0] * (len(AGE_LIMITS) + 1))[found.age_group] += (
            found.escalations
        )
    return table
