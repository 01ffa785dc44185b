"""Migration 0013 (a file's life) keeps the files on record as they were, both ways."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import select

from storage import migrate
from storage.child_models import Child, Guardian
from storage.db import Database
from storage.lifecycle_models import ChildTransfer
from tests.support.formdriver import FormDriver
from tests.support.intake import CHILD_ID, LEFT_BEHIND, MULTI_CHOICE
from tests.support.seed import VILLAGE, enrol_caller, seed_region

BEFORE = "0008_personal_data_encrypted"


def test_migration_0013__files_on_record__kept_open_and_unreviewed_across_down_and_up(
    db: Database,
) -> None:
    seed_region(db)
    director = enrol_caller(db, "director", VILLAGE, 1001)
    driver = FormDriver(db, director)
    driver.begin()
    driver.fill(LEFT_BEHIND, MULTI_CHOICE)
    child_id = driver.press("保存").record_id
    db.dispose()

    migrate.downgrade(db.url, BEFORE)
    with db.engine.connect() as connection:
        columns = connection.execute(text("SELECT * FROM child")).keys()
        assert "closed_reason" not in columns
        assert connection.execute(text("SELECT count(*) FROM child")).scalar() == 1
    db.dispose()
    migrate.upgrade(db.url)

    child = db.call(lambda s: s.get(Child, child_id))
    assert child is not None
    assert (child.name, child.id_number, child.village_code) == ("张小明", CHILD_ID, VILLAGE)
    assert not child.closed and child.closed_reason is None and child.closed_on is None
    assert child.review_state is None and child.age_prompted_for is None
    assert len(db.call(lambda s: s.exec(select(Guardian)).all())) == 2
    assert db.call(lambda s: s.exec(select(ChildTransfer)).all()) == []
