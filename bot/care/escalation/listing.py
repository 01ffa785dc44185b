"""Escalations as lists: the open ones of an area, the unrouted ones, and what else was informed
(for the child's card and exports)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot.care.escalation.policy import RESOLVED
from bot.care.escalation.routing import first_name
from bot.people.access import Caller
from storage import escalation_queries
from storage.escalation_queries import InformedRow


@dataclass(frozen=True)
class EscalationItem:
    id: int
    values: dict[str, Any]


def escalation_list(*, session: Session, caller: Caller) -> list[EscalationItem]:
    """Describe the open escalations in the caller's area for the list, oldest first."""
    listed = escalation_queries.unresolved_in_area(
        session=session, area_prefix=caller.area_prefix, resolved=RESOLVED
    )
    return [
        EscalationItem(
            esc.id or 0,
            {
                "id": esc.id,
                "child": first_name(child) if child else "",
                "village": village or esc.village_code,
                "raised": esc.raised_at.isoformat(timespec="minutes"),
                "state": esc.state,
                "urgent": "🚨" if esc.urgent else "",
                "owner": owner or "-",
            },
        )
        for esc, child, village, owner in listed
    ]


def unrouted_lines(*, session: Session, area_prefix: str = "") -> list[str]:
    """The escalations nobody could receive, one tab-separated line each, for the CLI (no
    personal numbers: id, village, urgency, when raised, since when unrouted)."""
    lines = []
    for esc in escalation_queries.unrouted(
        session=session, area_prefix=area_prefix, resolved=RESOLVED
    ):
        assert esc.unrouted_at is not None
        lines.append(
            "\t".join(
                [
                    str(esc.id),
                    esc.village_code,
                    "urgent" if esc.urgent else "flagged",
                    esc.level,
                    esc.raised_at.isoformat(timespec="minutes"),
                    esc.unrouted_at.isoformat(timespec="minutes"),
                ]
            )
        )
    return lines


def informed_records(
    *, session: Session, caller: Caller, child_id: int | None = None
) -> list[InformedRow]:
    """Who else was informed of the escalations in the caller's area (police, ambulance, school,
    others) and when: for exports, and for one child's card."""
    return escalation_queries.informed_in_area(
        session=session, area_prefix=caller.area_prefix, child_id=child_id
    )
