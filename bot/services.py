"""The services handlers and jobs share, built once by `bot.app.build_services`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.care.escalations import EscalationPolicy
from bot.clock import Clock
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
    # No defaults: a policy left out would silently replace the configured one.
    clock: Clock
    throttle: ThrottlePolicy
    escalation: EscalationPolicy
