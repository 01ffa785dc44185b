"""Queries of the yearly spot check (抽查): the sample, its checkers, results, directors' tasks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.child_models import Child
from storage.county_models import DirectorTask, SpotCheck, SpotCheckChecker, SpotCheckFile


class OpenFile(NamedTuple):
    child_id: int
    village_code: str


class SampledFile(NamedTuple):
    """A sampled file as lists and summaries show it: no personal numbers."""

    file_id: int
    child_id: int
    child_name: str
    village_code: str
    township_code: str
    checked: bool
    problems: int
    results: str | None


def open_files(*, session: Session, area_prefix: str) -> list[OpenFile]:
    """Every open file in an area, by id (the order a seeded draw relies on)."""
    rows = session.exec(
        select(Child.id, Child.village_code)
        .where(col(Child.village_code).startswith(area_prefix), col(Child.closed).is_(False))
        .order_by(col(Child.id))
    ).all()
    return [OpenFile(child_id or 0, village) for child_id, village in rows]


def spot_check_of(*, session: Session, county_code: str, year: int) -> SpotCheck | None:
    return session.exec(
        select(SpotCheck).where(SpotCheck.county_code == county_code, SpotCheck.year == year)
    ).first()


def get_spot_check(*, session: Session, spot_check_id: int) -> SpotCheck | None:
    return session.get(SpotCheck, spot_check_id)


def save_spot_check(*, session: Session, spot_check: SpotCheck) -> SpotCheck:
    session.add(spot_check)
    session.flush()
    return spot_check


def replace_files(*, session: Session, spot_check_id: int, files: Sequence[SpotCheckFile]) -> None:
    """Put a new sample in place of an unchecked one."""
    session.execute(delete(SpotCheckFile).where(col(SpotCheckFile.spot_check_id) == spot_check_id))
    session.add_all(files)
    session.flush()


def checked_count(*, session: Session, spot_check_id: int) -> int:
    return len(
        session.exec(
            select(SpotCheckFile.id).where(
                SpotCheckFile.spot_check_id == spot_check_id,
                col(SpotCheckFile.checked_at).is_not(None),
            )
        ).all()
    )


def sampled_files(*, session: Session, spot_check_id: int) -> list[SampledFile]:
    rows = session.exec(
        select(SpotCheckFile, Child.name, Child.village_code)
        .join(Child, col(Child.id) == col(SpotCheckFile.child_id))
        .where(SpotCheckFile.spot_check_id == spot_check_id)
        .order_by(col(SpotCheckFile.township_code), col(SpotCheckFile.child_id))
    ).all()
    return [
        SampledFile(
            f.id or 0,
            f.child_id,
            name,
            village,
            f.township_code,
            f.checked_at is not None,
            f.problems,
            f.results,
        )
        for f, name, village in rows
    ]


def get_file(*, session: Session, file_id: int) -> SpotCheckFile | None:
    return session.get(SpotCheckFile, file_id)


def add_checker(*, session: Session, checker: SpotCheckChecker) -> bool:
    """Assign a checker once; tell whether it was new."""
    if is_checker(session=session, spot_check_id=checker.spot_check_id, staff_id=checker.staff_id):
        return False
    session.add(checker)
    session.flush()
    return True


def is_checker(*, session: Session, spot_check_id: int, staff_id: int) -> bool:
    return (
        session.exec(
            select(SpotCheckChecker.id).where(
                SpotCheckChecker.spot_check_id == spot_check_id,
                SpotCheckChecker.staff_id == staff_id,
            )
        ).first()
        is not None
    )


def spot_checks_assigned(*, session: Session, staff_id: int, year: int) -> Sequence[SpotCheck]:
    return session.exec(
        select(SpotCheck)
        .join(SpotCheckChecker, col(SpotCheckChecker.spot_check_id) == col(SpotCheck.id))
        .where(SpotCheckChecker.staff_id == staff_id, SpotCheck.year == year)
        .order_by(col(SpotCheck.county_code))
    ).all()


def spot_checks_in_area(*, session: Session, area_prefix: str, year: int) -> Sequence[SpotCheck]:
    return session.exec(
        select(SpotCheck)
        .where(col(SpotCheck.county_code).startswith(area_prefix), SpotCheck.year == year)
        .order_by(col(SpotCheck.county_code))
    ).all()


def add_tasks(*, session: Session, tasks: Sequence[DirectorTask]) -> None:
    session.add_all(tasks)
    session.flush()


def open_tasks(*, session: Session, village_code: str) -> list[tuple[DirectorTask, str]]:
    """A village's open tasks, oldest first, each with its child's name."""
    rows = session.exec(
        select(DirectorTask, Child.name)
        .join(Child, col(Child.id) == col(DirectorTask.child_id))
        .where(DirectorTask.village_code == village_code, col(DirectorTask.done_at).is_(None))
        .order_by(col(DirectorTask.id))
    ).all()
    return [(task, name) for task, name in rows]


def get_task(*, session: Session, task_id: int) -> DirectorTask | None:
    return session.get(DirectorTask, task_id)
