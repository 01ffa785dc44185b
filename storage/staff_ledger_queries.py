"""Queries of the director ledger: training events, attendance, coverage, directors per village.

Every query takes the area (a code prefix) it may look into; the caller decides the area.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.child_models import Child
from storage.county_models import TrainingAttendance, TrainingEvent
from storage.models import OrgUnit, Staff

TRAINED_ROLES = ("director", "supervisor")  # section 17: the county trains all of them yearly


def insert_event(*, session: Session, event: TrainingEvent) -> TrainingEvent:
    session.add(event)
    session.flush()
    return event


def get_event(*, session: Session, event_id: int) -> TrainingEvent | None:
    return session.get(TrainingEvent, event_id)


def events_in_area(
    *, session: Session, area_prefix: str, year: int | None = None, limit: int | None = None
) -> Sequence[TrainingEvent]:
    """Events held by a unit inside the area, or by a unit above it (a city or province
    training covers the counties below), newest first."""
    units = _units_of_area_and_above(area_prefix)
    statement = select(TrainingEvent).where(
        col(TrainingEvent.org_code).startswith(area_prefix) | col(TrainingEvent.org_code).in_(units)
    )
    if year is not None:
        statement = statement.where(
            col(TrainingEvent.held_on) >= date(year, 1, 1),
            col(TrainingEvent.held_on) <= date(year, 12, 31),
        )
    statement = statement.order_by(col(TrainingEvent.held_on).desc(), col(TrainingEvent.id).desc())
    if limit is not None:
        statement = statement.limit(limit)
    return session.exec(statement).all()


def _units_of_area_and_above(area_prefix: str) -> list[str]:
    # Province, city and county codes are 6 digits padded with zeros: 35 → 350000, 3501 → 350100.
    return [area_prefix[:n].ljust(6, "0") for n in (2, 4, 6) if len(area_prefix) >= n]


def attendance_of(*, session: Session, event_id: int) -> set[int]:
    """The staff ids recorded at an event."""
    rows = session.exec(
        select(TrainingAttendance.staff_id).where(TrainingAttendance.event_id == event_id)
    ).all()
    return set(rows)


def attendance_counts(*, session: Session, event_ids: Sequence[int]) -> dict[int, int]:
    if not event_ids:
        return {}
    rows = session.exec(
        select(TrainingAttendance.event_id, func.count())
        .where(col(TrainingAttendance.event_id).in_(event_ids))
        .group_by(col(TrainingAttendance.event_id))
    ).all()
    return {event_id: count for event_id, count in rows}


def find_attendance(*, session: Session, event_id: int, staff_id: int) -> TrainingAttendance | None:
    return session.exec(
        select(TrainingAttendance).where(
            TrainingAttendance.event_id == event_id, TrainingAttendance.staff_id == staff_id
        )
    ).first()


def add_attendance(*, session: Session, attendance: TrainingAttendance) -> None:
    session.add(attendance)
    session.flush()


def remove_attendance(*, session: Session, attendance: TrainingAttendance) -> None:
    session.delete(attendance)
    session.flush()


def active_staff_in_area(
    *, session: Session, area_prefix: str, roles: Sequence[str] = TRAINED_ROLES
) -> Sequence[Staff]:
    """Active staff of the roles inside an area, by unit then id."""
    return session.exec(
        select(Staff)
        .where(
            col(Staff.org_code).startswith(area_prefix),
            col(Staff.role).in_(roles),
            col(Staff.active).is_(True),
        )
        .order_by(col(Staff.org_code), col(Staff.id))
    ).all()


def trained_staff_ids(*, session: Session, area_prefix: str, year: int) -> set[int]:
    """Staff inside the area who attended at least one training held in the year."""
    rows = session.exec(
        select(TrainingAttendance.staff_id)
        .join(TrainingEvent, col(TrainingEvent.id) == col(TrainingAttendance.event_id))
        .join(Staff, col(Staff.id) == col(TrainingAttendance.staff_id))
        .where(
            col(Staff.org_code).startswith(area_prefix),
            col(TrainingEvent.held_on) >= date(year, 1, 1),
            col(TrainingEvent.held_on) <= date(year, 12, 31),
        )
    ).all()
    return set(rows)


def units_in_area(*, session: Session, area_prefix: str, level: str) -> Sequence[OrgUnit]:
    return session.exec(
        select(OrgUnit)
        .where(col(OrgUnit.code).startswith(area_prefix), OrgUnit.level == level)
        .order_by(col(OrgUnit.code))
    ).all()


def active_directors_by_village(*, session: Session, area_prefix: str) -> Counter[str]:
    """How many active directors each village of the area has (villages with none are absent)."""
    rows = session.exec(
        select(Staff.org_code, func.count())
        .where(
            col(Staff.org_code).startswith(area_prefix),
            Staff.role == "director",
            col(Staff.active).is_(True),
        )
        .group_by(col(Staff.org_code))
    ).all()
    return Counter({code: count for code, count in rows})


def open_children_by_village(*, session: Session, area_prefix: str) -> Counter[str]:
    """How many open files each village of the area holds."""
    rows = session.exec(
        select(Child.village_code, func.count())
        .where(col(Child.village_code).startswith(area_prefix), col(Child.closed).is_(False))
        .group_by(col(Child.village_code))
    ).all()
    return Counter({code: count for code, count in rows})


def staff_by_ids(*, session: Session, ids: Sequence[int]) -> Sequence[Staff]:
    if not ids:
        return []
    return session.exec(select(Staff).where(col(Staff.id).in_(ids))).all()


def training_by_unit(
    *, session: Session, area_prefix: str, unit_length: int, year: int
) -> dict[str, tuple[int, int]]:
    """Unit code -> (active directors and supervisors, those of them trained in the year)."""
    unit = func.substr(col(Staff.org_code), 1, unit_length)
    active = (
        col(Staff.org_code).startswith(area_prefix),
        col(Staff.role).in_(TRAINED_ROLES),
        col(Staff.active).is_(True),
    )
    found = {
        code: (int(staff), 0)
        for code, staff in session.execute(
            select(unit, func.count(col(Staff.id))).where(*active).group_by(unit)
        )
    }
    trained = (
        select(unit, func.count(func.distinct(col(Staff.id))))
        .join(TrainingAttendance, col(TrainingAttendance.staff_id) == col(Staff.id))
        .join(TrainingEvent, col(TrainingEvent.id) == col(TrainingAttendance.event_id))
        .where(
            *active,
            col(TrainingEvent.held_on) >= date(year, 1, 1),
            col(TrainingEvent.held_on) <= date(year, 12, 31),
        )
        .group_by(unit)
    )
    for code, count in session.execute(trained):
        staff, _ = found.get(code, (0, 0))
        found[code] = (staff, int(count))
    return found
