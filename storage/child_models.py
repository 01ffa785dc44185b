"""The one-child-one-file record as structured rows, and the drafts of forms in progress."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Numeric, Text, event
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedText, keyring
from storage.types import UTCDateTime

# ID numbers, phones and addresses are EncryptedText (storage/crypto.py): the database holds
# only ciphertext. Names stay clear so the sweep and lists read them without decrypting.


def _utc(*, nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


def _yuan() -> Column[Decimal]:
    return Column(Numeric(12, 2), nullable=True)


class ChildBase(SQLModel):
    name: str = Field(max_length=50)
    # None for a child with no resident ID number yet (unregistered); the reason says why.
    id_number: str | None = Field(default=None, sa_type=EncryptedText)
    no_id_reason: str | None = Field(default=None, max_length=16)
    sex: str = Field(max_length=8)
    birth_date: date
    ethnicity: str = Field(max_length=20)
    home_address: str = Field(sa_type=EncryptedText)
    hukou: str = Field(max_length=8)
    category: str = Field(max_length=16, index=True)
    # Comma-separated: a child may be in difficulty in several ways at once.
    difficulty_type: str | None = Field(default=None, max_length=200)
    difficulty_detail: str | None = Field(default=None, max_length=200)
    single_parent: str = Field(max_length=8)
    schooling: str = Field(max_length=16)
    boarding: str | None = Field(default=None, max_length=8)
    guardianship: str = Field(max_length=16)
    guardianship_detail: str | None = Field(default=None, max_length=200)
    health: str = Field(max_length=100)  # comma-separated: ill and disabled at once
    health_detail: str | None = Field(default=None, max_length=200)
    disability_grade: str | None = Field(default=None, max_length=4)
    psychology: str | None = Field(default=None, sa_type=Text)
    education_aid: str | None = Field(default=None, max_length=100)
    medical_aid: str | None = Field(default=None, max_length=100)
    other_aid: str | None = Field(default=None, max_length=100)
    social_support: str | None = Field(default=None, max_length=200)
    risk_tier: str = Field(max_length=8, index=True)
    helper_name: str | None = Field(default=None, max_length=100)
    helper_phone: str | None = Field(default=None, sa_type=EncryptedText)
    helper_unit: str | None = Field(default=None, max_length=100)
    need_kinds: str = Field(default="", max_length=200)  # comma-separated need categories
    care_needs: str | None = Field(default=None, sa_type=Text)
    notes: str | None = Field(default=None, sa_type=Text)


class Child(ChildBase, table=True):
    __tablename__ = "child"
    __table_args__ = (
        Index("ix_child_name_birth", "name", "birth_date"),
        # Covers every column the statistics read (storage/stats_queries.py).
        Index(
            "ix_child_stats",
            "village_code",
            "category",
            "difficulty_type",
            "risk_tier",
            "closed",
            "next_contact_due",
            "next_visit_due",
            "last_contact_on",
            "last_visit_on",
            "filed_at",
            "id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The blind index of id_number (keyed HMAC, storage/crypto.py): one file per ID, and search
    # by ID, without decrypting. Set from id_number on every insert and update (below).
    # None when there is no ID number: any number of unregistered children may be on file.
    id_number_hash: str | None = Field(default=None, max_length=64, unique=True)
    village_code: str = Field(foreign_key="org_unit.code", index=True, max_length=12)
    income_per_capita: Decimal | None = Field(default=None, sa_column=_yuan())
    filed_by: int = Field(foreign_key="staff.id", index=True)
    filed_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())
    last_contact_on: date | None = Field(default=None)
    last_visit_on: date | None = Field(default=None)
    next_contact_due: date | None = Field(default=None, index=True)
    next_visit_due: date | None = Field(default=None, index=True)
    closed: bool = Field(default=False)
    # Opened by an urgent report for a child not yet on file, "to be completed": most columns
    # hold stand-ins until the director finishes the intake for it, which clears the mark.
    placeholder: bool = Field(default=False, index=True)
    # The life of a file (bot/lifecycle/): why and when it was closed; the supervisor's review
    # ("pending", "returned", None once approved or never asked), the note and section a return
    # points at, and who it went back to; the category the age prompt was last sent for.
    closed_reason: str | None = Field(default=None, max_length=16)
    closed_on: date | None = Field(default=None)
    review_state: str | None = Field(default=None, max_length=16, index=True)
    review_note: str | None = Field(default=None, sa_type=Text)
    review_section: str | None = Field(default=None, max_length=32)
    review_by: int | None = Field(default=None)  # a staff id
    age_prompted_for: str | None = Field(default=None, max_length=16)
    # Since when the recorded facts (other than age) no longer meet the category's definition:
    # set by an edit saved with that warning, cleared by one without; the sweep asks about it.
    unqualified_since: date | None = Field(default=None, index=True)


class Guardian(SQLModel, table=True):
    """A parent as the ledger's family section records them."""

    __tablename__ = "guardian"

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    relation: str = Field(max_length=8)  # father, mother, or guardian (orphans, de facto)
    kinship: str | None = Field(default=None, max_length=16)  # a guardian's relationship
    name: str | None = Field(default=None, max_length=100)
    id_number: str | None = Field(default=None, sa_type=EncryptedText)
    phone: str | None = Field(default=None, sa_type=EncryptedText)
    address: str | None = Field(default=None, sa_type=EncryptedText)
    health: str = Field(default="", max_length=16)
    illness: str | None = Field(default=None, max_length=100)
    special: str = Field(default="", max_length=200)  # comma-separated choice values
    away: bool | None = Field(default=None)
    away_months: int | None = Field(default=None)
    work_place: str | None = Field(default=None, max_length=200)
    can_guard: bool | None = Field(default=None)


class Caregiver(SQLModel, table=True):
    """The entrusted caregiver of a left-behind child (section 5's confirmation)."""

    __tablename__ = "caregiver"

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    relation: str = Field(max_length=16)
    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, sa_type=EncryptedText)
    address: str | None = Field(default=None, sa_type=EncryptedText)
    reason: str = Field(max_length=16)
    entrusted_from: date | None = Field(default=None)
    entrusted_until: date | None = Field(default=None)


class Assistance(SQLModel, table=True):
    """One kind of assistance the child or the family receives, in yuan per month."""

    __tablename__ = "assistance"

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    scope: str = Field(max_length=8)  # child or family
    kind: str = Field(max_length=16)
    yuan_per_month: Decimal | None = Field(default=None, sa_column=_yuan())


class FormSession(SQLModel, table=True):
    """A form in progress: the only conversation state, written at every answer."""

    __tablename__ = "form_session"
    __table_args__ = (Index("ix_form_session_staff_status", "staff_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    form: str = Field(max_length=32)
    record_id: int | None = Field(default=None)
    status: str = Field(default="open", max_length=16)  # open, saved, discarded
    state: str = Field(sa_type=EncryptedText)  # the answers so far, personal data included
    version: int = Field(default=1)
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())
    stale_mentioned: bool = Field(default=False)
    # The draft's question (or review) is the last thing the bot showed its owner: only then is
    # typed text an answer. Any other use of the bot pauses it; its Continue button resumes it.
    asking: bool = Field(default=False)


@event.listens_for(Child, "before_insert")
@event.listens_for(Child, "before_update")
def _index_id_number(_mapper: object, _connection: object, child: Child) -> None:
    """Keep the blind index in step with the ID number, whoever writes the row."""
    child.id_number_hash = keyring().blind_index(child.id_number) if child.id_number else None
