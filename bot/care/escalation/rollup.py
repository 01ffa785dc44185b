"""The weekly roll-up: city and province admins read their area's open escalations and overdue
visits once a week, through the outbox (one key per person and ISO week)."""

from __future__ import annotations

from datetime import datetime, time

from sqlmodel import Session

from bot.care.escalation.policy import ACKNOWLEDGED, OPEN, RESOLVED, EscalationPolicy
from bot.notify.notification import Notification
from bot.notify.outbox import Queued, enqueue_many
from bot.people.orgs import prefix_of
from storage import escalation_queries, outbox_queries

ROLLUP_LEVELS = ("city", "province")
ROLLUP_FROM = time(9, 0)  # local time on the week's first day, or later if the bot was down


def weekly_rollups(*, session: Session, now: datetime, policy: EscalationPolicy) -> int:
    """Queue this week's roll-up to every city and province admin who has not had it; tell
    how many were queued. Before 09:00 local time on the week's first run nothing goes out."""
    local = now.astimezone(policy.timezone)
    if local.time() < ROLLUP_FROM:
        return 0
    year, week, _ = local.isocalendar()
    people = escalation_queries.admins_at_levels(session=session, levels=ROLLUP_LEVELS)
    keys = {person.id: f"rollup:{person.id}:{year}-W{week:02d}" for person, _, _ in people}
    taken = outbox_queries.taken_keys(session=session, keys=keys.values())
    messages = []
    notices: dict[str, Notification] = {}
    for person, unit_name, level in people:
        if keys[person.id] in taken:
            continue
        code = person.org_code
        if code not in notices:
            notices[code] = _notice(session, code, unit_name, level, now, policy)
        messages.append(Queued(keys[person.id], person, notices[code]))
    return enqueue_many(session=session, messages=messages, now=now)


def _notice(
    session: Session, code: str, name: str, level: str, now: datetime, policy: EscalationPolicy
) -> Notification:
    prefix = prefix_of(code, level)
    counts = escalation_queries.open_counts_in_area(
        session=session, area_prefix=prefix, resolved=RESOLVED
    )
    unrouted = escalation_queries.unrouted(session=session, area_prefix=prefix, resolved=RESOLVED)
    return Notification(
        "escalation.rollup",
        {
            "area": name,
            "week": now.astimezone(policy.timezone).date().isoformat(),
            "open": sum(n for state, _, n in counts if state == OPEN),
            "acknowledged": sum(n for state, _, n in counts if state == ACKNOWLEDGED),
            "urgent": sum(n for _, urgent, n in counts if urgent),
            "late": escalation_queries.overdue_escalations_in_area(
                session=session, area_prefix=prefix, resolved=RESOLVED, now=now
            ),
            "unrouted": len(unrouted),
            "overdue_children": escalation_queries.overdue_children_in_area(
                session=session,
                area_prefix=prefix,
                today=now.astimezone(policy.timezone).date(),
            ),
        },
    )
