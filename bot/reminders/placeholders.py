"""The daily reminder of files urgent reports opened for children not yet on file.

Each director of a village with such a file is told every day, until the intake is finished for
each of them (/complete lists them with a button each).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from itertools import groupby

from sqlmodel import Session

from bot.i18n import N_
from bot.notify.notification import text_notice
from bot.reminders.digests import Digest
from storage import child_queries
from storage.recipient_queries import Recipient

KIND = "placeholder"
REMINDER = N_("urgent.reminder")


def placeholder_digests(
    session: Session, directors: Mapping[str, Sequence[Recipient]]
) -> Iterator[Digest]:
    """One reminder per director whose village has files still to be completed."""
    pending = child_queries.placeholders(session=session)
    for village, files in groupby(pending, key=lambda c: c.village_code):
        people = directors.get(village, ())
        if not people:
            continue
        names = [c.name for c in files]
        notice = text_notice(REMINDER, count=len(names), names="、".join(names))
        for director in people:
            yield Digest(director, KIND, notice)
