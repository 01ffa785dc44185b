"""Children on file with a given tier and visit history, for reminder tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.care.cadence import next_due
from bot.care.escalations import EscalationPolicy
from bot.people.access import Caller
from storage.child_models import Child
from storage.db import Database
from tests.support.formdriver import FormDriver
from tests.support.ids import resident_id
from tests.support.intake import LEFT_BEHIND, MULTI_CHOICE

TIER_LABEL = {"low": "低风险", "medium": "中风险", "high": "高风险"}


def file_child(
    db: Database,
    director: Caller,
    *,
    name: str,
    tier: str,
    sequence: str,
    filed_on: date,
    today: date,
    last_contact: date | None = None,
    last_visit: date | None = None,
) -> int:
    """File a child through the intake form, then set its history as of `today`."""
    answers = {
        **LEFT_BEHIND,
        "child_name": ("text", name),
        "child_id": ("text", resident_id(birth="20150305", sequence=sequence)),
        "risk_tier": ("press", TIER_LABEL[tier]),
    }
    # Reminder tests count what the sweep queues: no review notices for the supervisors.
    driver = FormDriver(db, director, EscalationPolicy(review_new_files=False))
    driver.begin()
    driver.fill(answers, MULTI_CHOICE)
    child_id = driver.press("保存").record_id
    assert child_id is not None

    def set_history(session: object) -> None:
        child = session.get(Child, child_id)  # type: ignore[attr-defined]
        child.filed_at = datetime.combine(filed_on, datetime.min.time(), tzinfo=UTC)
        child.last_contact_on, child.last_visit_on = last_contact, last_visit
        child.next_contact_due, child.next_visit_due = next_due(
            tier=tier,
            filed_on=filed_on,
            last_contact_on=last_contact,
            last_visit_on=last_visit,
            today=today,
        )

    db.call(set_history)
    return child_id
