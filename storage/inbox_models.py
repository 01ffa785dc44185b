"""Updates received from Telegram: the inbox, written before Telegram is told they arrived."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedText
from storage.types import UTCDateTime

PENDING, DONE, FAILED = "pending", "done", "failed"
# Its handler's writes are committed, its reply may not have gone out: a restart runs it again,
# when the writes cannot repeat (the claim fails) and a form shows its current screen again.
APPLIED = "applied"


class InboxUpdate(SQLModel, table=True):
    """One Telegram update; pending until its handlers wrote (applied), ran (done) or gave up
    on it (failed)."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_state_update", "state", "update_id"),)

    # Telegram's own id: storing an update twice is impossible, so a re-delivery is harmless.
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    # The update's JSON, encrypted: typed answers (ID numbers, phones, addresses) are in it.
    payload: str = Field(sa_column=Column(EncryptedText, nullable=False))
    state: str = Field(default=PENDING, max_length=16)
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=200)
