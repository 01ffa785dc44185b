"""Directors per village for the statistics (section 17 of the plan): villages with none, and
villages with more children per director than the plan allows, as aggregate SQL by unit."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session, col

from storage.child_models import Child
from storage.models import OrgUnit, Staff
from storage.stats_queries import in_area, unit_prefix


class Staffing(NamedTuple):
    unit: str
    villages: int
    directors: int
    without_director: int
    overloaded: int  # villages with more than `children_per_director` children per director


class VillageStaffing(NamedTuple):
    code: str
    children: int
    directors: int


def _village_staffing(area_prefix: str) -> Any:
    """Per village of the area: its code, open children and active enrolled directors."""
    children = (
        select(col(Child.village_code).label("code"), func.count().label("n"))
        .where(col(Child.closed).is_(False), in_area(col(Child.village_code), area_prefix))
        .group_by(col(Child.village_code))
        .subquery()
    )
    directors = (
        select(col(Staff.org_code).label("code"), func.count().label("n"))
        .where(
            col(Staff.role) == "director",
            col(Staff.active).is_(True),
            col(Staff.telegram_user_id).is_not(None),
            in_area(col(Staff.org_code), area_prefix),
        )
        .group_by(col(Staff.org_code))
        .subquery()
    )
    return (
        select(
            col(OrgUnit.code).label("code"),
            func.coalesce(children.c.n, 0).label("children"),
            func.coalesce(directors.c.n, 0).label("directors"),
        )
        .outerjoin(children, children.c.code == col(OrgUnit.code))
        .outerjoin(directors, directors.c.code == col(OrgUnit.code))
        .where(col(OrgUnit.level) == "village", in_area(col(OrgUnit.code), area_prefix))
        .subquery()
    )


def staffing(
    *, session: Session, area_prefix: str, unit_length: int, children_per_director: int
) -> list[Staffing]:
    """Villages, directors, villages with no director and overloaded villages, by unit."""
    village = _village_staffing(area_prefix)
    unit_code = unit_prefix(village.c.code, unit_length)
    overloaded = and_(
        village.c.directors > 0,
        village.c.children > village.c.directors * children_per_director,
    )
    statement = select(
        unit_code,
        func.count(),
        func.sum(village.c.directors),
        func.sum(case((village.c.directors == 0, 1), else_=0)),
        func.sum(case((overloaded, 1), else_=0)),
    ).group_by(unit_code)
    return [
        Staffing(u, int(v), int(d or 0), int(w or 0), int(o or 0))
        for u, v, d, w, o in session.connection().execute(statement)
    ]


def villages_needing_directors(
    *, session: Session, area_prefix: str, children_per_director: int, limit: int
) -> list[VillageStaffing]:
    """Villages of an area with no director or too many children per director, by code."""
    village = _village_staffing(area_prefix)
    statement = (
        select(village.c.code, village.c.children, village.c.directors)
        .where(
            or_(
                village.c.directors == 0,
                village.c.children > village.c.directors * children_per_director,
            )
        )
        .order_by(village.c.code)
        .limit(limit)
    )
    return [VillageStaffing(*row) for row in session.connection().execute(statement)]
