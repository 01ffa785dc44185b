"""Practice mode: a private practice area per staff member, with made-up children.

A round's units are flagged `org_unit.practice` and live under the practice root (codes that
start with 99, which no real division uses), so every area-scoped query leaves them out; its
two staff rows (a director and a supervisor) have no Telegram account, so nothing is sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

PRACTICE_PREFIX = "99"  # no administrative division code starts with 99


class PracticeRound(SQLModel, table=True):
    """One staff member's practice area, reused from round to round; `active` while inside."""

    __tablename__ = "practice_round"

    id: int | None = Field(default=None, primary_key=True)
    real_staff_id: int = Field(foreign_key="staff.id", unique=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    director_id: int = Field(foreign_key="staff.id")
    supervisor_id: int = Field(foreign_key="staff.id")
    village_code: str = Field(foreign_key="org_unit.code", max_length=12)
    acting: str = Field(default="director", max_length=16)  # director or supervisor
    active: bool = Field(default=True)
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
