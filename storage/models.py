"""SQLModel tables: organisation units, staff, invites, throttling, audit and metadata."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index, String, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class OrgLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


class Role(StrEnum):
    DIRECTOR = "director"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


def _utc(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class OrgUnitBase(SQLModel):
    code: str = Field(primary_key=True, max_length=12)
    name: str = Field(max_length=100)
    level: str = Field(max_length=16)
    parent_code: str | None = Field(
        default=None, foreign_key="org_unit.code", index=True, max_length=12
    )
    # A practice area's unit (storage/practice_models.py): never counted, never exported.
    practice: bool = Field(default=False)


class OrgUnit(OrgUnitBase, table=True):
    __tablename__ = "org_unit"


class StaffBase(SQLModel):
    role: str = Field(max_length=16)
    org_code: str = Field(foreign_key="org_unit.code", index=True, max_length=12)
    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=20)
    # The director ledger (section 17): when appointed, gender and education, as counties keep them.
    appointed_on: date | None = Field(default=None)
    gender: str | None = Field(default=None, max_length=8)
    education: str | None = Field(default=None, max_length=32)


class Staff(StaffBase, table=True):
    __tablename__ = "staff"

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, unique=True, nullable=True)
    )
    locale: str | None = Field(default=None, max_length=16)
    active: bool = Field(default=True)
    created_at: datetime = Field(sa_column=_utc())
    enrolled_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class Invite(SQLModel, table=True):
    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    staff_id: int = Field(foreign_key="staff.id", index=True)
    created_at: datetime = Field(sa_column=_utc())
    expires_at: datetime = Field(sa_column=_utc())
    used_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    used_by_telegram_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True)
    )


class StartThrottle(SQLModel, table=True):
    """Failed invite codes per Telegram user, so guessing is slowed down."""

    __tablename__ = "start_throttle"

    telegram_user_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    failures: int = Field(default=0)
    window_started_at: datetime = Field(sa_column=_utc())
    locked_until: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_record", "table_name", "record_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc(index=True))
    actor_staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    actor_label: str = Field(max_length=64)
    action: str = Field(max_length=64)
    table_name: str = Field(max_length=64)
    record_id: str = Field(max_length=64)
    old_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new_value: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class AppMeta(SQLModel, table=True):
    """Small facts the bot learns at run time, such as its own username."""

    __tablename__ = "app_meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=255)
