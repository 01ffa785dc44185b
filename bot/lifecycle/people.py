"""Who is told of a file's changes: a village's directors, and the township above it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from bot.care.escalations import TOWNSHIP, climb
from bot.notify.notification import Notification
from bot.notify.outbox import Queued, enqueue_many
from bot.people.roles import Role
from storage import recipient_queries
from storage.recipient_queries import Recipient


def village_directors(session: Session, village_code: str) -> list[Recipient]:
    return recipient_queries.enrolled_staff_at(
        session=session, org_code=village_code, role=Role.DIRECTOR.value
    )


def township_receivers(session: Session, village_code: str) -> list[Recipient]:
    """The village's supervisors, or the nearest level above with anyone when it has none."""
    return climb(session, village_code, TOWNSHIP)[1]


def tell(
    session: Session,
    recipients: Iterable[Recipient],
    *,
    key: str,
    notice: Notification,
    now: datetime,
) -> int:
    """Queue one notification for each recipient (each once), keyed `key:<staff id>`."""
    seen: dict[int, Recipient] = {}
    for recipient in recipients:
        seen.setdefault(recipient.id, recipient)
    messages = [Queued(f"{key}:{r.id}", r, notice) for r in seen.values()]
    return enqueue_many(session=session, messages=messages, now=now)
