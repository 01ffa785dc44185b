"""Drafts: one open per form, stale ones mentioned once, answering clears the mention."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.forms import drafts, engine
from bot.forms.registry import get_form
from storage.child_models import FormSession
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
        drafts.save_state(session=session, draft=draft, state=state, now=later)  # type: ignore[arg-type]

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


def test_save_state__then_closed_in_the_same_transaction__both_stored(db: Database) -> None:
    seed_region(db)
    staff = invite(db, "director", VILLAGE).staff
    assert staff.id is not None
    staff_id = staff.id
    form = get_form("intake")
    started = engine.start(form)
    draft_id = db.call(
        lambda s: (
            drafts.create_draft(
                session=s, staff_id=staff_id, form="intake", state=started, now=NOW
            ).id
        )
    )
    assert draft_id is not None
    answered = engine.accept(form, started, "王小明").state
    later = NOW + timedelta(minutes=5)

    def answer_and_close(session: Session) -> None:
        draft = drafts.draft_by_id(session=session, staff_id=staff_id, draft_id=draft_id)
        assert draft is not None
        drafts.save_state(session=session, draft=draft, state=answered, now=later)
        # The loaded draft shows what was stored, as the rest of the transaction reads it.
        assert drafts.state_of(draft).answers == answered.answers
        assert draft.version == answered.version and draft.updated_at == later
        drafts.close_draft(draft=draft, status=drafts.SAVED, now=later)

    db.call(answer_and_close)
    stored = db.call(lambda s: s.get(FormSession, draft_id))
    assert stored is not None and stored.status == drafts.SAVED
    assert drafts.state_of(stored).answers == answered.answers
    assert stored.version == answered.version > started.version
