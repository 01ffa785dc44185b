"""Migration 0013 (intake for real families) keeps the files kept: answers read back as saved."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import select

from bot.care.children import answers_of, load_file
from storage import migrate
from storage.crypto import keyring
from storage.db import Database
from storage.visit_models import Visit
from tests.support.ids import resident_id
from tests.support.seed import VILLAGE, enrol_caller, seed_region

BEFORE = "0008_personal_data_encrypted"
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def _insert(connection: sa.Connection, name: str, values: dict[str, object]) -> None:
    table = sa.table(name, *(sa.column(column) for column in values))
    connection.execute(table.insert().values(**values))


def _insert_old_file(db: Database, staff_id: int) -> tuple[int, str]:
    """A file as the schema before 0013 stored it: one health and one difficulty kind."""
    number = resident_id(birth="20150305", sequence="123")
    ring = keyring()
    with db.engine.begin() as connection:
        _insert(
            connection,
            "child",
            dict(
                name="张小明",
                id_number=ring.encrypt(number),
                id_number_hash=ring.blind_index(number),
                sex="male",
                birth_date=date(2015, 3, 5),
                ethnicity="han",
                home_address=ring.encrypt("溪头村 12 号"),
                hukou="rural",
                category="difficulty",
                difficulty_type="disability",
                single_parent="no",
                schooling="primary",
                guardianship="fair",
                health="disabled",
                disability_grade="2",
                risk_tier="medium",
                care_needs="需要康复训练",
                village_code=VILLAGE,
                income_per_capita=8000,
                filed_by=staff_id,
                filed_at=NOW,
                updated_at=NOW,
                last_visit_on=date(2026, 11, 2),
                closed=False,
            ),
        )
        child_id = connection.execute(sa.text("SELECT max(id) FROM child")).scalar_one()
        _insert(
            connection,
            "guardian",
            dict(child_id=child_id, relation="father", health="healthy", special="none"),
        )
        _insert(
            connection,
            "visit",
            dict(
                child_id=child_id,
                author_id=staff_id,
                kind="home_visit",
                visited_on=date(2026, 11, 2),
                met="child",
                seen_in_person=True,
                urgent="",
                caregiver_changed=False,
                tier_before="medium",
                tier_after="medium",
                media="{}",
                flagged=False,
                created_at=NOW,
                updated_at=NOW,
            ),
        )
    return int(child_id), number


def test_migration_0013_intake__existing_file__reads_back_unchanged(db: Database) -> None:
    seed_region(db)
    director = enrol_caller(db, "director", VILLAGE, 1001)
    db.dispose()
    migrate.downgrade(db.url, BEFORE)
    child_id, number = _insert_old_file(db, director.staff_id)
    db.dispose()
    migrate.upgrade(db.url)
    file = db.call(lambda s: load_file(session=s, caller=director, child_id=child_id))
    assert file is not None
    answers = answers_of(file)
    assert answers["child_id"] == number and answers["health"] == ["disabled"]
    assert answers["difficulty_type"] == ["disability"] and answers["disability_grade"] == "2"
    assert answers["father_special"] == ["none"] and answers["income_per_capita"] == "8000.00"
    assert answers["care_needs"] == "需要康复训练" and answers["need_kinds"] == []
    visit = db.call(lambda s: s.exec(select(Visit)).one())
    assert (visit.outcome, visit.need_kinds, visit.met) == ("completed", "", "child")
