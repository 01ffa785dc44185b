"""The year's progress figures (section 17, due 30 November), per unit of an area.

Visits are counted against the tier cadence (bot/care/cadence.py): each month or quarter a
file's tier asks for, from the year's start (or the file's filing) to the day of the report,
is one required period; a period with a fitting visit or contact is done.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.care.cadence import Period, requirements_for
from bot.county import coverage
from bot.errors import UserError
from bot.i18n import N_
from bot.people.orgs import PREFIX_LENGTH, area_prefix
from storage import progress_queries, queries, spotcheck_queries, staff_ledger_queries
from storage.models import OrgLevel, OrgUnit

# The unit each row of the report is about, for the level the report is asked for.
ROW_LEVEL = {
    OrgLevel.PROVINCE: OrgLevel.CITY,
    OrgLevel.CITY: OrgLevel.COUNTY,
    OrgLevel.COUNTY: OrgLevel.TOWNSHIP,
}


Add = Callable[[str, str, int], None]  # (a unit's code, a figure's name, how much)


@dataclass
class Figures:
    code: str
    name: str
    files: int = 0
    visits_required: int = 0
    visits_done: int = 0
    escalations: int = 0
    staff: int = 0
    trained: int = 0
    villages: int = 0
    without_director: int = 0
    overloaded: int = 0
    sampled: int = 0
    checked: int = 0
    villages_detail: list[coverage.Village] = field(default_factory=list)

    def as_params(self) -> dict[str, int]:
        return {
            "files": self.files,
            "visits_required": self.visits_required,
            "visits_done": self.visits_done,
            "escalations": self.escalations,
            "staff": self.staff,
            "trained": self.trained,
            "without_director": self.without_director,
            "sampled": self.sampled,
            "checked": self.checked,
        }


@dataclass(frozen=True)
class Progress:
    org: OrgUnit
    year: int
    as_of: date
    total: Figures
    rows: list[Figures]


def _org(session: Session, code: str) -> OrgUnit:
    org = queries.get_org(session=session, code=code.strip())
    if org is None:
        raise UserError(N_("org.error.unknown"), code=code)
    if OrgLevel(org.level) not in ROW_LEVEL:
        raise UserError(N_("coverage.error.level"), code=org.code)
    return org


def progress(*, session: Session, org_code: str, year: int, as_of: date, tz: ZoneInfo) -> Progress:
    """The figures of an area (a county, city or province) for the year, up to `as_of`."""
    org = _org(session, org_code)
    prefix = area_prefix(org)
    row_level = ROW_LEVEL[OrgLevel(org.level)]
    units = staff_ledger_queries.units_in_area(session=session, area_prefix=prefix, level=row_level)
    rows = {u.code: Figures(u.code, u.name) for u in units}
    total = Figures(org.code, org.name)
    cut = PREFIX_LENGTH[row_level]

    def add(code: str, name: str, amount: int) -> None:
        key = code[:cut] if cut >= 6 else code[:cut].ljust(6, "0")  # a city's code: 3501 → 350100
        for figures in (rows.get(key), total):
            if figures is not None:
                setattr(figures, name, getattr(figures, name) + amount)

    end = min(as_of, date(year, 12, 31))
    _visits(session, prefix, year, end, tz, add)
    start_at = datetime(year, 1, 1, tzinfo=tz).astimezone(UTC)
    end_at = datetime(year + 1, 1, 1, tzinfo=tz).astimezone(UTC)
    escalations = progress_queries.escalations_by_village(
        session=session, area_prefix=prefix, first=start_at, last=end_at
    )
    for village, count in escalations.items():
        add(village, "escalations", count)
    for county_code in _counties(session, org):
        county = coverage.county_coverage(session=session, county_code=county_code, year=year)
        untrained = {s.staff_id for s in county.untrained}
        for person in staff_ledger_queries.active_staff_in_area(
            session=session, area_prefix=county_code
        ):
            add(person.org_code, "staff", 1)
            add(person.org_code, "trained", 0 if person.id in untrained else 1)
        for unit in staff_ledger_queries.units_in_area(
            session=session, area_prefix=county_code, level=OrgLevel.VILLAGE
        ):
            add(unit.code, "villages", 1)
        for lacking in county.without_director:
            add(lacking.code, "without_director", 1)
        for overloaded in county.overloaded:
            add(overloaded.code, "overloaded", 1)
        total.villages_detail.extend(county.without_director + county.overloaded)
        spot = spotcheck_queries.spot_check_of(session=session, county_code=county_code, year=year)
        if spot is not None and spot.id is not None:
            for file in spotcheck_queries.sampled_files(session=session, spot_check_id=spot.id):
                add(file.village_code, "sampled", 1)
                add(file.village_code, "checked", int(file.checked))
    return Progress(org, year, end, total, list(rows.values()))


def _counties(session: Session, org: OrgUnit) -> list[str]:
    if org.level == OrgLevel.COUNTY:
        return [org.code]
    return [
        c.code
        for c in staff_ledger_queries.units_in_area(
            session=session, area_prefix=area_prefix(org), level=OrgLevel.COUNTY
        )
    ]


def _index(day: date, period: Period) -> int:
    """Number a month or quarter so that consecutive ones differ by one."""
    if period is Period.MONTH:
        return day.year * 12 + day.month - 1
    return day.year * 4 + (day.month - 1) // 3


def _visits(session: Session, prefix: str, year: int, end: date, tz: ZoneInfo, add: Add) -> None:
    first = date(year, 1, 1)
    if end < first:
        return
    files = progress_queries.open_files_for_cadence(session=session, area_prefix=prefix)
    seen: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for child_id, kind, day in progress_queries.visits_between(
        session=session, area_prefix=prefix, first=first, last=end
    ):
        seen[child_id].append((kind, day))
    for file in files:
        add(file.village_code, "files", 1)
        filed_on = file.filed_at.astimezone(tz).date()
        start = max(first, filed_on)
        if start > end:
            continue
        for requirement in requirements_for(file.risk_tier):
            periods = range(_index(start, requirement.period), _index(end, requirement.period) + 1)
            met = {
                _index(day, requirement.period)
                for kind, day in seen[file.child_id]
                if kind in requirement.kinds
            }
            add(file.village_code, "visits_required", len(periods))
            add(file.village_code, "visits_done", len(met & set(periods)))
