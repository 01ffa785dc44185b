"""Drafts: one open per form, stale ones mentioned once, answering clears the mention."""

from __future__ import annotations

from datetime import timedelta

from bot.forms import drafts, engine
from bot.forms.registry import get_form
from storage.db import Database
from tests.support.formdriver import NOW
from tests.support.seed import VILLAGE, invite, seed_region


def test_stale_draft__mentioned_once_then_again_only_after_new_activity(db: Database) -> None:
    seed_region(db)
    staff = invite(db, "director", VILLAGE).staff
    assert staff.id is not None
    staff_id = staff.id
    state = engine.start(get_form("intake"))
    db.call(
        lambda s: drafts.create_draft(
            session=s, staff_id=staff_id, form="intake", state=state, now=NOW
        )
    )
    soon = NOW + timedelta(days=2)
    assert db.call(lambda s: drafts.take_stale_drafts(session=s, staff_id=staff_id, now=soon)) == []
    later = NOW + timedelta(days=3, minutes=1)
    assert (
        len(db.call(lambda s: drafts.take_stale_drafts(session=s, staff_id=staff_id, now=later)))
        == 1
    )
    assert (
        db.call(lambda s: drafts.take_stale_drafts(session=s, staff_id=staff_id, now=later)) == []
    )

    def touch(session: object) -> None:
        draft = drafts.active_draft(session=session, staff_id=staff_id)  # type: ignore[arg-type]
        assert draft is not None
        drafts.save_state(draft=draft, state=state, now=later)

    db.call(touch)
    much_later = later + timedelta(days=4)
    assert (
        len(
            db.call(
                lambda s: drafts.take_stale_drafts(session=s, staff_id=staff_id, now=much_later)
            )
        )
        == 1
    )


def test_create_draft__same_form_twice__only_one_open(db: Database) -> None:
    seed_region(db)
    staff = invite(db, "director", VILLAGE).staff
    assert staff.id is not None
    staff_id = staff.id
    state = engine.start(get_form("intake"))
    for _ in range(2):
        db.call(
            lambda s: drafts.create_draft(
                session=s, staff_id=staff_id, form="intake", state=state, now=NOW
            )
        )
    assert len(db.call(lambda s: drafts.open_drafts(session=s, staff_id=staff_id))) == 1
