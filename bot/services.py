"""The services handlers and jobs share, built once by `build_application`."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.care.escalations import EscalationPolicy
from bot.clock import Clock, system_clock
from bot.i18n import I18n
from bot.people.enrollment import ThrottlePolicy
from bot.settings import Settings
from storage.db import Database


@dataclass
class Services:
    """What handlers need, built once: settings, database, catalogs, clock and policies."""

    settings: Settings
    db: Database
    i18n: I18n
    clock: Clock = system_clock
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    escalation: EscalationPolicy = field(default_factory=EscalationPolicy)
