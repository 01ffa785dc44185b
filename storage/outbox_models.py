"""Messages that must arrive: the outbox, written in the same transaction as their cause."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedText
from storage.types import UTCDateTime

PENDING, SENDING, SENT, UNDELIVERABLE, FAILED = (
    "pending",
    "sending",
    "sent",
    "undeliverable",
    "failed",
)


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(128), unique=True, nullable=False))
    recipient_staff_id: int = Field(foreign_key="staff.id", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    # JSON: text and buttons, encrypted (names, notes and a director's phone can be in it).
    payload: str = Field(sa_column=Column(EncryptedText, nullable=False))
    state: str = Field(default=PENDING, max_length=16)
    not_before: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    attempts: int = Field(default=0)
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    telegram_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    last_error: str | None = Field(default=None, max_length=200)
    event: str = Field(default="", max_length=64)  # what caused it, for follow-ups on failure
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class SweepRun(SQLModel, table=True):
    """One run of a daily job for one local day; the unique key makes it happen once."""

    __tablename__ = "sweep_run"
    __table_args__ = (UniqueConstraint("job", "day", name="uq_sweep_run_job_day"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=32)
    day: date
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    recipients: int = Field(default=0)
    # A run that commits in chunks holds a lease it renews; one whose lease ran out unfinished
    # (its process died) is taken over and carried on by the next run.
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
