"""Following an acknowledged report until it is resolved, and releasing a revoked owner's.

An owner who has not resolved a report after the follow-up time is reminded; after it again the
report goes up the ladder as an unacknowledged one does. A revoked owner's reports go back to
the people of their level at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.care.escalation.ladder import NOT_RESOLVED, child_name, event, go_up, route, tell
from bot.care.escalation.policy import ACKNOWLEDGED, LEVELS, OPEN, EscalationPolicy
from bot.i18n import N_
from bot.notify.notification import text_notice
from storage import escalation_queries

RELEASED = {level: N_("ladder.released") for level in LEVELS}


def chase_acknowledged(*, session: Session, now: datetime, policy: EscalationPolicy) -> int:
    """Remind owners of reports still unresolved after the follow-up time; move on those whose
    owner was reminded once already. Tell how many were chased or moved."""
    due = escalation_queries.overdue_in(session=session, levels=LEVELS, state=ACKNOWLEDGED, now=now)
    for esc in due:
        # Reminded once already: it goes up, unless nobody above can receive it.
        if esc.chased_at is not None and go_up(session, esc, now, policy, NOT_RESOLVED):
            continue
        count = escalation_queries.count_events(
            session=session, esc_id=esc.id or 0, action="chased"
        )
        esc.chased_at, esc.due_by = now, now + policy.followup(esc.urgent)
        event(session, esc, "chased", esc.owner_id, now)
        days = max(1, (now - esc.raised_at).days)
        notice = text_notice(
            N_("ladder.chase"), id=esc.id or 0, child=child_name(session, esc), days=days
        )
        tell(session, esc.owner_id, f"esc:{esc.id}:chase:{count}", notice, now)
    return len(due)


def release_owned(
    *, session: Session, staff_id: int, now: datetime, policy: EscalationPolicy
) -> int:
    """Give a revoked owner's unresolved reports back to the people of their level at once."""
    owned = escalation_queries.owned_by(session=session, staff_id=staff_id, state=ACKNOWLEDGED)
    for esc in owned:
        esc.state, esc.owner_id, esc.chased_at = OPEN, None, None
        event(session, esc, "released", staff_id, now)
        count = escalation_queries.count_events(
            session=session, esc_id=esc.id or 0, action="released"
        )
        route(session, esc, esc.level, RELEASED, now, policy, round_key=f":r{count}")
    return len(owned)
