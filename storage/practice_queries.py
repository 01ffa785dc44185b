"""Queries of practice mode, and the filter every count and export can use to leave it out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from storage.child_models import Assistance, Caregiver, Child, FormSession, Guardian
from storage.county_models import DirectorTask, SpotCheckFile
from storage.models import OrgUnit
from storage.practice_models import PRACTICE_PREFIX, PracticeRound
from storage.visit_models import Escalation, EscalationEvent, RiskTierChange, Visit, VisitProblem

__all__ = ["PRACTICE_PREFIX", "real_units"]


def real_units(code_column: Any) -> ColumnElement[bool]:
    """A WHERE clause that keeps real units only: statistics and exports filter on it.

    Practice areas live under codes starting with 99 (and their units carry
    `org_unit.practice`), so an area prefix of a real division leaves them out already; a query
    over everything (no prefix) adds this.
    """
    return ~col(code_column).startswith(PRACTICE_PREFIX)


def round_of_account(*, session: Session, telegram_user_id: int) -> PracticeRound | None:
    return session.exec(
        select(PracticeRound).where(PracticeRound.telegram_user_id == telegram_user_id)
    ).first()


def round_of_staff(*, session: Session, real_staff_id: int) -> PracticeRound | None:
    return session.exec(
        select(PracticeRound).where(PracticeRound.real_staff_id == real_staff_id)
    ).first()


def save_round(*, session: Session, practice_round: PracticeRound) -> PracticeRound:
    session.add(practice_round)
    session.flush()
    return practice_round


def ensure_unit(*, session: Session, unit: OrgUnit) -> None:
    if session.get(OrgUnit, unit.code) is None:
        session.add(unit)
        session.flush()


def children_of(*, session: Session, village_code: str) -> list[int]:
    return [
        child_id or 0
        for child_id in session.exec(select(Child.id).where(Child.village_code == village_code))
    ]


def visits_count(*, session: Session, village_code: str) -> int:
    return len(
        session.exec(
            select(Visit.id)
            .join(Child, col(Child.id) == col(Visit.child_id))
            .where(Child.village_code == village_code)
        ).all()
    )


def wipe(*, session: Session, village_code: str, staff_ids: list[int]) -> int:
    """Delete a practice village's children and everything hanging off them, and the practice
    staff's drafts; return how many files went. Audit rows stay (they are the log)."""
    assert village_code.startswith(PRACTICE_PREFIX)  # never a real village
    children = children_of(session=session, village_code=village_code)
    escalations = select(Escalation.id).where(col(Escalation.child_id).in_(children))
    visits = select(Visit.id).where(col(Visit.child_id).in_(children))
    session.execute(
        delete(EscalationEvent).where(col(EscalationEvent.escalation_id).in_(escalations))
    )
    session.execute(delete(Escalation).where(col(Escalation.child_id).in_(children)))
    session.execute(delete(VisitProblem).where(col(VisitProblem.visit_id).in_(visits)))
    session.execute(delete(RiskTierChange).where(col(RiskTierChange.child_id).in_(children)))
    for table in (Guardian, Caregiver, Assistance, DirectorTask, SpotCheckFile):
        session.execute(delete(table).where(col(table.child_id).in_(children)))  # type: ignore[attr-defined]
    session.execute(delete(Visit).where(col(Visit.child_id).in_(children)))
    session.execute(delete(Child).where(col(Child.id).in_(children)))
    session.execute(delete(FormSession).where(col(FormSession.staff_id).in_(staff_ids)))
    return len(children)
