"""Tables of the county's yearly duties: the training archive, the spot check, directors' tasks.

The staff ledger's own columns (appointment date, gender, education) live on `staff`
(storage/models.py); these tables hang off staff, children and org units.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Numeric, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

TRAINING_LEVELS = ("province", "city", "county")


def _utc(*, nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


class TrainingEvent(SQLModel, table=True):
    """One training: when, at which level, how long, who organised it and on what."""

    __tablename__ = "training_event"

    id: int | None = Field(default=None, primary_key=True)
    # The unit that held it (a province, city or county): whose admins see it.
    org_code: str = Field(foreign_key="org_unit.code", index=True, max_length=12)
    held_on: date = Field(index=True)
    level: str = Field(max_length=16)  # province, city or county
    hours: Decimal = Field(sa_column=Column(Numeric(5, 1), nullable=False))
    organiser: str = Field(max_length=100)
    topic: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=_utc())


class TrainingAttendance(SQLModel, table=True):
    """One staff member at one training (once each)."""

    __tablename__ = "training_attendance"
    __table_args__ = (
        UniqueConstraint("event_id", "staff_id", name="uq_training_attendance_event_staff"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="training_event.id", index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    source: str = Field(default="cli", max_length=16)  # cli, import, chat, practice
    recorded_at: datetime = Field(sa_column=_utc())


class SpotCheck(SQLModel, table=True):
    """A county's yearly sample of files (抽查): drawn once from a seed, so it can be redrawn."""

    __tablename__ = "spot_check"
    __table_args__ = (UniqueConstraint("county_code", "year", name="uq_spot_check_county_year"),)

    id: int | None = Field(default=None, primary_key=True)
    county_code: str = Field(foreign_key="org_unit.code", index=True, max_length=12)
    year: int
    seed: int
    size: int
    drawn_at: datetime = Field(sa_column=_utc())


class SpotCheckFile(SQLModel, table=True):
    """One sampled file and, once checked, the checklist's answers (JSON: item → ok/note)."""

    __tablename__ = "spot_check_file"
    __table_args__ = (
        UniqueConstraint("spot_check_id", "child_id", name="uq_spot_check_file_child"),
    )

    id: int | None = Field(default=None, primary_key=True)
    spot_check_id: int = Field(foreign_key="spot_check.id", index=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    township_code: str = Field(max_length=12)
    checked_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    checker_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    results: str | None = Field(default=None, sa_type=Text)
    problems: int = Field(default=0)


class SpotCheckChecker(SQLModel, table=True):
    """A supervisor (or admin) assigned to go through a spot check's files."""

    __tablename__ = "spot_check_checker"
    __table_args__ = (
        UniqueConstraint("spot_check_id", "staff_id", name="uq_spot_check_checker_staff"),
    )

    id: int | None = Field(default=None, primary_key=True)
    spot_check_id: int = Field(foreign_key="spot_check.id", index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    assigned_at: datetime = Field(sa_column=_utc())


class DirectorTask(SQLModel, table=True):
    """Something a village's director is asked to put right in a child's file."""

    __tablename__ = "director_task"

    id: int | None = Field(default=None, primary_key=True)
    village_code: str = Field(foreign_key="org_unit.code", index=True, max_length=12)
    child_id: int = Field(foreign_key="child.id", index=True)
    source: str = Field(max_length=32)  # e.g. spot_check
    source_id: int  # e.g. the spot_check_file row
    item: str = Field(max_length=32)
    note: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_column=_utc())
    done_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
