"""Who can receive a village's escalations at each level: enrolled, active, not blocking the bot."""

from __future__ import annotations

from sqlmodel import Session

from bot.people.roles import Rung, first_staffed, ladder_above
from storage import escalation_queries, recipient_queries
from storage.recipient_queries import Recipient
from storage.visit_models import Escalation


def reachable(session: Session, rung: Rung) -> list[Recipient]:
    """The people at one rung who can receive now: those whose last message failed (they
    blocked the bot) are skipped at once rather than after the SLA."""
    people = recipient_queries.enrolled_staff_at(
        session=session, org_code=rung.org_code, role=rung.role.value
    )
    blocked = escalation_queries.blocked_staff_ids(
        session=session, staff_ids=[person.id for person in people]
    )
    return [person for person in people if person.id not in blocked]


def recipients(session: Session, village_code: str, level: str) -> list[Recipient]:
    """Whoever receives a village's escalations at a level of the ladder (may be nobody)."""
    chain = recipient_queries.unit_chain(session=session, code=village_code)
    for rung in ladder_above(chain, from_level=level):
        if rung.level == level:
            return reachable(session, rung)
    return []


def holders(session: Session, esc: Escalation) -> list[Recipient]:
    """Who holds an open report now: its owner, or everyone at its level."""
    people = recipients(session, esc.village_code, esc.level)
    if esc.owner_id is not None:
        people = [p for p in people if p.id == esc.owner_id] or people
    return people


def climb(session: Session, village_code: str, from_level: str) -> tuple[str, list[Recipient]]:
    """The nearest level at or above `from_level` with anyone to receive, and them; when the
    whole ladder is empty, `from_level` and nobody."""
    chain = recipient_queries.unit_chain(session=session, code=village_code)
    found = first_staffed(
        ladder_above(chain, from_level=from_level), lambda r: reachable(session, r)
    )
    if found is None:
        return from_level, []
    rung, people = found
    return rung.level, people


def first_name(name: str) -> str:
    """Return the given name only (a two-character name keeps its last character)."""
    return name[1:] if len(name) >= 2 else name
