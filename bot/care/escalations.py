"""Escalations, as the rest of the bot imports them; the code is in `bot.care.escalation`."""

from __future__ import annotations

from bot.care.escalation.followup import chase_acknowledged, release_owned
from bot.care.escalation.handling import (
    INFORMED,
    acknowledge,
    actionable,
    ask_director,
    own_report,
    record_informed,
    reply_to_question,
    resolve,
)
from bot.care.escalation.ladder import (
    NO_SUPERVISOR,
    NOT_ACKNOWLEDGED,
    UNREACHABLE,
    go_up,
    move_overdue,
    on_undeliverable,
    raise_escalation,
    show_unrouted,
)
from bot.care.escalation.listing import (
    EscalationItem,
    escalation_list,
    informed_records,
    unrouted_lines,
)
from bot.care.escalation.policy import (
    ACKNOWLEDGED,
    CITY,
    COUNTY,
    OPEN,
    PROVINCE,
    RESOLVED,
    TOWNSHIP,
    EscalationPolicy,
    Report,
)
from bot.care.escalation.rollup import weekly_rollups
from bot.care.escalation.routing import climb, first_name, recipients

__all__ = [
    "ACKNOWLEDGED",
    "CITY",
    "COUNTY",
    "INFORMED",
    "NOT_ACKNOWLEDGED",
    "NO_SUPERVISOR",
    "OPEN",
    "PROVINCE",
    "RESOLVED",
    "TOWNSHIP",
    "UNREACHABLE",
    "EscalationItem",
    "EscalationPolicy",
    "Report",
    "acknowledge",
    "actionable",
    "ask_director",
    "chase_acknowledged",
    "climb",
    "escalation_list",
    "first_name",
    "go_up",
    "informed_records",
    "move_overdue",
    "on_undeliverable",
    "own_report",
    "raise_escalation",
    "recipients",
    "record_informed",
    "release_owned",
    "reply_to_question",
    "resolve",
    "show_unrouted",
    "unrouted_lines",
    "weekly_rollups",
]
