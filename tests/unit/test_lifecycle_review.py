"""Which saves go to the supervisor's review: new files, edits of what decides eligibility and
the risk tier, and a returned file sent again; other edits do not."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.care.children import answers_of, load_file
from bot.care.escalations import EscalationPolicy
from bot.forms.registry import FormContext, form_spec
from bot.lifecycle.review import approve, return_file
from bot.people.access import Caller
from storage.child_models import Child
from storage.db import Database
from storage.outbox_models import OutboxMessage
from tests.support.formdriver import NOW, TODAY, FormDriver
from tests.support.intake import LEFT_BEHIND, MULTI_CHOICE
from tests.support.seed import TOWNSHIP, VILLAGE, enrol_caller, seed_region


@pytest.fixture
def people(db: Database) -> dict[str, Caller]:
    seed_region(db)
    return {
        "director": enrol_caller(db, "director", VILLAGE, 1001),
        "supervisor": enrol_caller(db, "supervisor", TOWNSHIP, 2001),
    }


def file_and_approve(db: Database, people: dict[str, Caller]) -> int:
    driver = FormDriver(db, people["director"])
    driver.begin()
    driver.fill(LEFT_BEHIND, MULTI_CHOICE)
    child_id = driver.press("保存").record_id
    assert child_id is not None
    db.call(lambda s: approve(session=s, caller=people["supervisor"], child_id=child_id, now=NOW))
    return child_id


def save_edit(db: Database, director: Caller, child_id: int, **changes: Any) -> Child:
    """Save the file's stored answers with `changes`, as the edit form's Save does."""

    def work(session: Any) -> Child:
        file = load_file(session=session, caller=director, child_id=child_id)
        assert file is not None
        context = FormContext(session, director, NOW, TODAY, EscalationPolicy(), record_id=child_id)
        spec = form_spec("intake_edit")
        assert spec.on_save is not None
        spec.on_save(context, {**answers_of(file), **changes})
        child = session.get(Child, child_id)
        session.expunge(child)
        return child  # type: ignore[no-any-return]

    return db.call(work)


def review_notices(db: Database) -> int:
    rows = db.call(lambda s: s.exec(select(OutboxMessage.key)).all())
    return sum(1 for key in rows if key.startswith("review:"))


def test_edit__risk_tier_changed__back_to_review(db: Database, people: dict[str, Caller]) -> None:
    child_id = file_and_approve(db, people)
    assert review_notices(db) == 1
    child = save_edit(db, people["director"], child_id, risk_tier="high")
    assert (child.risk_tier, child.review_state) == ("high", "pending")
    assert review_notices(db) == 2


def test_edit__notes_only__stays_approved(db: Database, people: dict[str, Caller]) -> None:
    child_id = file_and_approve(db, people)
    child = save_edit(db, people["director"], child_id, notes="喜欢画画")
    assert (child.notes, child.review_state) == ("喜欢画画", None)
    assert review_notices(db) == 1


def test_returned_file__saved_unchanged__sent_again(
    db: Database, people: dict[str, Caller]
) -> None:
    child_id = file_and_approve(db, people)
    save_edit(db, people["director"], child_id, category="left_behind", risk_tier="low")
    db.call(
        lambda s: return_file(
            session=s,
            caller=people["supervisor"],
            child_id=child_id,
            section="father",
            note="请核实",
            now=NOW,
        )
    )
    child = save_edit(db, people["director"], child_id)
    assert (child.review_state, child.review_note) == ("pending", None)
