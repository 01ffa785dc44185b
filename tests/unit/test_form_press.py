"""A form button press: who pressed it and their draft read together, and each refusal."""

from __future__ import annotations

from bot.audit import Actor
from bot.forms import drafts
from bot.people.access import Caller, Identity
from bot.people.staff import revoke_staff
from storage.child_models import FormSession
from storage.db import Database
from tests.support.formdriver import NOW, FormDriver
from tests.support.seed import NEIGHBOUR_VILLAGE, VILLAGE, enrol_caller, seed_region

OWNER, NEIGHBOUR, STRANGER = 1001, 1009, 4242


def first_question(db: Database) -> tuple[Caller, FormDriver]:
    seed_region(db)
    owner = enrol_caller(db, "director", VILLAGE, OWNER)
    driver = FormDriver(db, owner)
    driver.begin()
    driver.type("张小明")
    return owner, driver


def stored_state(db: Database, driver: FormDriver) -> str:
    assert driver.screen is not None
    draft = db.call(lambda s: s.get(FormSession, driver.screen.draft_id))  # type: ignore[union-attr]
    assert draft is not None and draft.status == drafts.OPEN
    return draft.state


def test_press__owner__identified_and_answer_applied(db: Database) -> None:
    owner, driver = first_question(db)
    before = stored_state(db, driver)
    identity, screen = driver.press_as(OWNER, "上一步")
    assert identity.caller == owner
    assert screen is not None and screen.kind == "question"
    assert screen.version > driver.screen.version  # type: ignore[union-attr]
    assert stored_state(db, driver) != before


def test_press__someone_elses_draft__stale_and_draft_untouched(db: Database) -> None:
    _, driver = first_question(db)
    neighbour = enrol_caller(db, "director", NEIGHBOUR_VILLAGE, NEIGHBOUR)
    before = stored_state(db, driver)
    identity, screen = driver.press_as(NEIGHBOUR, "上一步")
    assert identity.caller == neighbour
    assert screen is not None and screen.kind == "stale"
    assert stored_state(db, driver) == before


def test_press__stranger__nobody_and_draft_untouched(db: Database) -> None:
    _, driver = first_question(db)
    before = stored_state(db, driver)
    assert driver.press_as(STRANGER, "上一步") == (Identity(caller=None), None)
    assert stored_state(db, driver) == before


def test_press__owner_revoked__refused_and_draft_untouched(db: Database) -> None:
    owner, driver = first_question(db)
    before = stored_state(db, driver)
    db.call(lambda s: revoke_staff(session=s, staff_id=owner.staff_id, actor=Actor.cli(), now=NOW))
    identity, screen = driver.press_as(OWNER, "上一步")
    assert identity.caller is None and identity.revoked and screen is None
    assert stored_state(db, driver) == before
