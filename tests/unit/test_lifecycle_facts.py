"""Files whose recorded facts no longer qualify: an edit marks them, the sweep asks once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.people.access import Caller
from bot.reminders.sweep import sweep_in_chunks
from storage.child_models import Child
from storage.db import Database
from storage.outbox_models import OutboxMessage
from tests.unit.test_lifecycle_review import TODAY, file_and_approve, people, save_edit

SHANGHAI = ZoneInfo("Asia/Shanghai")
__all__ = ["people"]  # the fixture


def asked_on(db: Database, day: date) -> list[str]:
    """Run the day's sweep; return the keys of the prompts about recorded facts so far."""
    now = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)
    assert sweep_in_chunks(db=db, today=day, now=now, tz=SHANGHAI, quiet=None).ran
    keys = db.call(lambda s: s.exec(select(OutboxMessage.key)).all())
    return sorted(key for key in keys if key.startswith("unqualified:"))


def test_edit__father_came_home__marked_and_asked_once_then_cleared_by_a_correction(
    db: Database, people: dict[str, Caller]
) -> None:
    child_id = file_and_approve(db, people)
    director = people["director"]
    # The father came home: with one parent at home who can guard, not a left-behind child.
    child = save_edit(db, director, child_id, father_away=False)
    assert child.unqualified_since == TODAY
    day = TODAY + timedelta(days=1)
    asked = asked_on(db, day)
    assert asked == [f"unqualified:{child_id}:{TODAY}:{director.staff_id}"]
    assert asked_on(db, day + timedelta(days=1)) == asked  # once, not every day
    # Corrected (he left again): the mark goes, and nothing more is asked.
    child = save_edit(db, director, child_id, father_away=True)
    assert child.unqualified_since is None
    assert asked_on(db, day + timedelta(days=2)) == asked


def test_closed_file__not_asked_about(db: Database, people: dict[str, Caller]) -> None:
    child_id = file_and_approve(db, people)
    save_edit(db, people["director"], child_id, father_away=False)

    def close(session: object) -> None:
        child = session.get(Child, child_id)  # type: ignore[attr-defined]
        child.closed = True

    db.call(close)
    assert asked_on(db, TODAY + timedelta(days=1)) == []
