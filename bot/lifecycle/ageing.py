"""Children who reached their category's age limit: the director is asked, once, what to do.

Section 二 cares for left-behind children under 16 and children in difficulty under 18. The
daily sweep finds open files past the limit and asks the village's directors to close the
file or change its category; the file remembers the category it was asked about, so the
question comes once (and again only if the category changes and that limit is reached too).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime

from sqlmodel import Session

from bot.forms.model import Problem
from bot.forms.parsers import age_on
from bot.forms.rules import DIFFICULTY_AGE_LIMIT, LEFT_BEHIND_AGE_LIMIT
from bot.lifecycle.people import tell, village_directors
from bot.notify.notification import Notification
from storage import lifecycle_queries
from storage.child_models import Child

AGE_LIMITS = {"left_behind": LEFT_BEHIND_AGE_LIMIT, "difficulty": DIFFICULTY_AGE_LIMIT}
AGE_PROBLEMS = {"eligibility.age_left_behind", "eligibility.age_difficulty"}


def born_by(today: date, years: int) -> date:
    """The latest birth date of someone `years` old today (29 February counts from 1 March)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return date(today.year - years, 2, 28)


def prompt_aged_out(*, session: Session, today: date, now: datetime) -> int:
    """Ask the directors about each file past its age limit, once; return how many files."""
    limits = {category: born_by(today, years) for category, years in AGE_LIMITS.items()}
    prompted = 0
    for child in _aged(session, limits):
        directors = village_directors(session, child.village_code)
        if not directors:
            continue  # asked on a later day, once the village has a director
        notice = Notification(
            "lifecycle.aged",
            {
                "child_id": child.id,
                "name": child.name,
                "category": child.category,
                "age": age_on(child.birth_date, today),
            },
        )
        key = f"aged:{child.id}:{child.category}"
        tell(session, directors, key=key, notice=notice, now=now)
        child.age_prompted_for = child.category
        prompted += 1
    return prompted


def _aged(session: Session, limits: dict[str, date]) -> Iterator[Child]:
    """Every file past its limit, a page at a time (those left unasked stay in later pages)."""
    after = 0
    while True:
        page = lifecycle_queries.aged_children(session=session, limits=limits, after_id=after)
        if not page:
            return
        yield from page
        after = page[-1].id or 0


def facts_problems(problems: Sequence[Problem]) -> list[Problem]:
    """The eligibility problems that are not the age limit (that one the sweep finds itself)."""
    return [p for p in problems if p.key not in AGE_PROBLEMS]


def mark_qualification(child: Child, problems: Sequence[Problem], today: date) -> None:
    """Remember, after an edit, whether the recorded facts still meet the category."""
    if not facts_problems(problems):
        child.unqualified_since = None
    elif child.unqualified_since is None:
        child.unqualified_since = today


def prompt_unqualified(*, session: Session, now: datetime) -> int:
    """Ask the directors, once per change, about each open file whose recorded facts no longer
    qualify (parents came home, …): close it or change its category."""
    prompted, after = 0, 0
    while page := lifecycle_queries.unqualified_children(session=session, after_id=after):
        after = page[-1].id or 0
        for child in page:
            directors = village_directors(session, child.village_code)
            if not directors:
                continue
            notice = Notification(
                "lifecycle.unqualified",
                {"child_id": child.id, "name": child.name, "category": child.category},
            )
            key = f"unqualified:{child.id}:{child.unqualified_since}"
            tell(session, directors, key=key, notice=notice, now=now)
            prompted += 1
    return prompted
