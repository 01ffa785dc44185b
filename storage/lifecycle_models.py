"""Transfers of a child's file from one village to another, asked for and then decided."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
# Who started it: the sending village's director ("push", the receiving side decides), or a
# director who found the child on file elsewhere ("pull", the holding village decides).
PUSH, PULL = "push", "pull"


class ChildTransfer(SQLModel, table=True):
    __tablename__ = "child_transfer"

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    from_village: str = Field(foreign_key="org_unit.code", max_length=12)
    to_village: str = Field(foreign_key="org_unit.code", max_length=12)
    direction: str = Field(max_length=8)
    state: str = Field(default=PENDING, max_length=16, index=True)
    requested_by: int = Field(foreign_key="staff.id")
    decided_by: int | None = Field(default=None, foreign_key="staff.id")
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    decided_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
