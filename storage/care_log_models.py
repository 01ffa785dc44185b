"""Help given to a child and the director's work log (section 8: 关爱帮扶记录, 工作日志)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _utc() -> Column[datetime]:
    return Column(UTCDateTime(), nullable=False)


class HelpGiven(SQLModel, table=True):
    """One piece of help a child received: what kind, from whom, when."""

    __tablename__ = "help_given"
    __table_args__ = (Index("ix_help_given_child_date", "child_id", "given_on"),)

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id")
    kind: str = Field(max_length=16)  # material, study, health, psychological, referral
    given_by: str = Field(max_length=100)
    given_on: date
    note: str | None = Field(default=None, sa_type=Text)
    author_id: int = Field(foreign_key="staff.id", index=True)
    created_at: datetime = Field(sa_column=_utc())


class WorkLogEntry(SQLModel, table=True):
    """A day's work of a director, in the village's log."""

    __tablename__ = "work_log"
    __table_args__ = (Index("ix_work_log_village_date", "village_code", "done_on"),)

    id: int | None = Field(default=None, primary_key=True)
    village_code: str = Field(foreign_key="org_unit.code", max_length=12)
    author_id: int = Field(foreign_key="staff.id", index=True)
    done_on: date
    what: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_column=_utc())


class WorkLogChild(SQLModel, table=True):
    """A child a work-log entry was for."""

    __tablename__ = "work_log_child"

    entry_id: int = Field(foreign_key="work_log.id", primary_key=True)
    child_id: int = Field(foreign_key="child.id", primary_key=True, index=True)
