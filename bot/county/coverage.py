"""Training coverage and directors per village, per county of an area (sections 8 and 17).

Section 17: the county trains every supervisor and director every year. Section 8: at least
one director per village, and another for every 30 children beyond that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlmodel import Session

from bot.errors import UserError
from bot.i18n import N_
from bot.people.orgs import area_prefix
from storage import queries, staff_ledger_queries
from storage.models import OrgLevel

CHILDREN_PER_DIRECTOR = 30


@dataclass(frozen=True)
class Untrained:
    staff_id: int
    role: str
    org_code: str
    name: str | None


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    children: int
    directors: int

    @property
    def directors_needed(self) -> int:
        return max(1, math.ceil(self.children / CHILDREN_PER_DIRECTOR))


@dataclass(frozen=True)
class CountyCoverage:
    code: str
    name: str
    year: int
    staff: int  # active directors and supervisors
    trained: int  # of them, those at a training held in the year
    untrained: list[Untrained]
    villages: int
    without_director: list[Village]
    overloaded: list[Village]  # more than 30 children per director

    @property
    def percent(self) -> float:
        return 100.0 * self.trained / self.staff if self.staff else 100.0


def county_coverage(*, session: Session, county_code: str, year: int) -> CountyCoverage:
    """One county's training coverage for the year and its villages' directors."""
    county = queries.get_org(session=session, code=county_code)
    if county is None:
        raise UserError(N_("org.error.unknown"), code=county_code)
    prefix = area_prefix(county)
    staff = staff_ledger_queries.active_staff_in_area(session=session, area_prefix=prefix)
    trained = staff_ledger_queries.trained_staff_ids(session=session, area_prefix=prefix, year=year)
    untrained = [
        Untrained(s.id or 0, s.role, s.org_code, s.name) for s in staff if s.id not in trained
    ]
    directors = staff_ledger_queries.active_directors_by_village(
        session=session, area_prefix=prefix
    )
    children = staff_ledger_queries.open_children_by_village(session=session, area_prefix=prefix)
    villages = [
        Village(v.code, v.name, children[v.code], directors[v.code])
        for v in staff_ledger_queries.units_in_area(
            session=session, area_prefix=prefix, level=OrgLevel.VILLAGE
        )
    ]
    return CountyCoverage(
        code=county.code,
        name=county.name,
        year=year,
        staff=len(staff),
        trained=len(staff) - len(untrained),
        untrained=untrained,
        villages=len(villages),
        without_director=[v for v in villages if v.directors == 0],
        overloaded=[
            v for v in villages if v.directors and v.children > CHILDREN_PER_DIRECTOR * v.directors
        ],
    )


def coverage_in_area(*, session: Session, org_code: str, year: int) -> list[CountyCoverage]:
    """Coverage of every county in an area (a county, city or province)."""
    org = queries.get_org(session=session, code=org_code.strip())
    if org is None:
        raise UserError(N_("org.error.unknown"), code=org_code)
    if org.level in (OrgLevel.TOWNSHIP, OrgLevel.VILLAGE):
        raise UserError(N_("coverage.error.level"), code=org.code)
    if org.level == OrgLevel.COUNTY:
        counties = [org.code]
    else:
        counties = [
            c.code
            for c in staff_ledger_queries.units_in_area(
                session=session, area_prefix=area_prefix(org), level=OrgLevel.COUNTY
            )
        ]
    return [county_coverage(session=session, county_code=c, year=year) for c in counties]
