"""The ladder's levels and states, how long each level has, and what a director reported."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from storage.models import OrgLevel

if TYPE_CHECKING:
    from bot.settings import Settings

TOWNSHIP, COUNTY = OrgLevel.TOWNSHIP.value, OrgLevel.COUNTY.value
CITY, PROVINCE = OrgLevel.CITY.value, OrgLevel.PROVINCE.value
LEVELS = (TOWNSHIP, COUNTY, CITY, PROVINCE)  # where an escalation can be, bottom up
OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"


def level_above(level: str) -> str | None:
    """The next receiving level up, or None at the province."""
    index = LEVELS.index(level) if level in LEVELS else 0
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


@dataclass(frozen=True)
class EscalationPolicy:
    """How long each level has to acknowledge, and how long an owner has to resolve."""

    urgent_sla: timedelta = timedelta(hours=1)  # at the township
    normal_sla: timedelta = timedelta(hours=24)
    # Above the township: level -> (urgent, normal); a level left out has the township's times.
    upper_sla: Mapping[str, tuple[timedelta, timedelta]] = field(default_factory=dict)
    # An acknowledged report still open after this is chased; after it again, it goes up.
    followup_urgent: timedelta = timedelta(days=3)
    followup_normal: timedelta = timedelta(days=14)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    # The township's other oversight: whether new files (and edits of the facts that decide
    # eligibility and the risk tier) go to its supervisors for review (REVIEW_NEW_FILES).
    review_new_files: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> EscalationPolicy:
        """Each level's time to acknowledge, and the follow-up, as the deployment sets them."""
        return cls(
            urgent_sla=settings.urgent_sla,
            normal_sla=settings.normal_sla,
            upper_sla={
                COUNTY: (settings.county_urgent_sla, settings.county_normal_sla),
                CITY: (settings.city_urgent_sla, settings.city_normal_sla),
                PROVINCE: (settings.province_urgent_sla, settings.province_normal_sla),
            },
            followup_urgent=settings.followup_urgent,
            followup_normal=settings.followup_normal,
            timezone=settings.timezone,
            review_new_files=settings.review_new_files,
        )

    def sla(self, urgent: bool, level: str = TOWNSHIP) -> timedelta:
        urgent_sla, normal_sla = self.upper_sla.get(level, (self.urgent_sla, self.normal_sla))
        return urgent_sla if urgent else normal_sla

    def followup(self, urgent: bool) -> timedelta:
        return self.followup_urgent if urgent else self.followup_normal


@dataclass(frozen=True)
class Report:
    """What the director reported: every level's message is made from it."""

    situations: Sequence[str] = ()  # choice label keys of mandatory-report situations
    problems: Sequence[tuple[str, str]] = ()  # (category label key, note)
    measures: str = ""
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "situations": list(self.situations),
                "problems": [list(p) for p in self.problems],
                "measures": self.measures,
                "note": self.note,
                "extra": self.extra,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str | None) -> Report:
        """The stored report; an escalation from before reports were stored has an empty one."""
        if not text:
            return cls()
        data: dict[str, Any] = json.loads(text)
        return cls(
            situations=list(data.get("situations") or []),
            problems=[(c, n) for c, n in data.get("problems") or []],
            measures=data.get("measures") or "",
            note=data.get("note") or "",
            extra=dict(data.get("extra") or {}),
        )
