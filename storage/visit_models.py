"""Visit reports, risk-tier history, and escalations with every transition."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.crypto import EncryptedText
from storage.types import UTCDateTime


def _utc(*, nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


class Visit(SQLModel, table=True):
    """One home visit or phone/video contact, as the director reported it."""

    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_child_date", "child_id", "visited_on"),
        Index("ix_visit_stats", "child_id", "visited_on", "kind"),  # covers the statistics
    )

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id")
    author_id: int = Field(foreign_key="staff.id", index=True)
    kind: str = Field(max_length=16)  # home_visit or contact
    visited_on: date
    met: str = Field(default="", max_length=100)  # comma-separated choice values
    seen_in_person: bool
    # completed, or nobody_home: a home visit attempted that counts as no visit
    outcome: str = Field(default="completed", max_length=16)
    urgent: str = Field(default="", max_length=200)  # mandatory-report situations, if any
    urgent_note: str | None = Field(default=None, sa_type=Text)
    measures: str | None = Field(default=None, sa_type=Text)
    need_kinds: str = Field(default="", max_length=200)  # comma-separated need categories
    care_needs: str | None = Field(default=None, sa_type=Text)
    caregiver_changed: bool = Field(default=False)
    tier_before: str = Field(max_length=8)
    tier_after: str = Field(max_length=8)
    tier_reason: str | None = Field(default=None, max_length=300)
    media: str = Field(default="{}", sa_type=Text)  # JSON: Telegram file ids and location
    flagged: bool = Field(default=False)
    flag_reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_column=_utc())
    updated_at: datetime = Field(sa_column=_utc())


class VisitProblem(SQLModel, table=True):
    """A problem found on a visit, by category, with the director's note."""

    __tablename__ = "visit_problem"

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    category: str = Field(max_length=16, index=True)
    note: str = Field(max_length=500)


class RiskTierChange(SQLModel, table=True):
    """The history of a child's guardianship risk tier."""

    __tablename__ = "risk_tier_change"

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id")
    tier_before: str = Field(max_length=8)
    tier_after: str = Field(max_length=8)
    reason: str | None = Field(default=None, max_length=300)
    changed_by: int = Field(foreign_key="staff.id")
    changed_at: datetime = Field(sa_column=_utc())


class Escalation(SQLModel, table=True):
    """A flagged or urgent report on its way up: township, then county."""

    __tablename__ = "escalation"
    __table_args__ = (Index("ix_escalation_open", "state", "due_by"),)

    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id")
    draft_id: int | None = Field(default=None, foreign_key="form_session.id")
    village_code: str = Field(foreign_key="org_unit.code", index=True, max_length=12)
    urgent: bool = Field(default=False)
    reason: str = Field(sa_type=Text)
    level: str = Field(default="township", max_length=16)  # township, county, city, province
    state: str = Field(default="open", max_length=16)  # open, acknowledged, resolved
    raised_by: int = Field(foreign_key="staff.id")
    owner_id: int | None = Field(default=None, foreign_key="staff.id")
    raised_at: datetime = Field(sa_column=_utc())
    due_by: datetime = Field(sa_column=_utc())
    resolution: str | None = Field(default=None, sa_type=Text)
    # Nobody anywhere on the ladder could receive it: listed until someone is shown it.
    unrouted_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # When the owner of an acknowledged, unresolved report was last reminded of it.
    chased_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # What the director reported, as JSON (situations, notes, problems, measures): every level's
    # message is made from it. Encrypted: the notes can name people and places.
    report: str | None = Field(default=None, sa_type=EncryptedText)


class EscalationMeasure(SQLModel, table=True):
    """Who else was told of an urgent report (police 110, ambulance 120, school, others), when."""

    __tablename__ = "escalation_measure"
    __table_args__ = (UniqueConstraint("escalation_id", "kind", name="uq_escalation_measure_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalation.id", index=True)
    kind: str = Field(max_length=16)  # police, ambulance, school, other
    informed_at: datetime = Field(sa_column=_utc())
    recorded_by: int = Field(foreign_key="staff.id")


class EscalationEvent(SQLModel, table=True):
    """Every transition of an escalation, with who and when."""

    __tablename__ = "escalation_event"

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalation.id", index=True)
    action: str = Field(max_length=32)
    actor_id: int | None = Field(default=None, foreign_key="staff.id")
    note: str | None = Field(default=None, sa_type=Text)
    at: datetime = Field(sa_column=_utc())
