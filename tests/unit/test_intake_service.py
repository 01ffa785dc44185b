"""Intake through the form service and a real database: save, eligibility, duplicates, edits."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.care.children import answers_of, load_file
from bot.people.access import Caller
from storage.child_models import Assistance, Caregiver, Child, Guardian
from storage.db import Database
from storage.models import AuditEntry
from tests.support.formdriver import FormDriver
from tests.support.ids import resident_id
from tests.support.intake import LEFT_BEHIND, MULTI_CHOICE, ORPHAN
from tests.support.seed import (
    NEIGHBOUR_VILLAGE,
    OTHER_VILLAGE,
    TOWNSHIP,
    VILLAGE,
    enrol_caller,
    seed_region,
)

enrol = enrol_caller


@pytest.fixture
def director(db: Database) -> Caller:
    seed_region(db)
    return enrol(db, "director", VILLAGE, 1001)


def test_intake__left_behind_child__saved_with_parents_and_caregiver(
    db: Database, director: Caller
) -> None:
    driver = FormDriver(db, director)
    driver.begin()
    review = driver.fill(LEFT_BEHIND, MULTI_CHOICE)
    assert review.kind == "review" and review.problems == ()
    saved = driver.press("保存")
    assert saved.kind == "saved"
    child = db.call(lambda s: s.exec(select(Child)).one())
    assert (child.name, child.sex, str(child.birth_date)) == ("张小明", "male", "2015-03-05")
    assert child.village_code == VILLAGE and child.risk_tier == "medium"
    guardians = db.call(lambda s: s.exec(select(Guardian)).all())
    assert {(g.relation, g.away, g.away_months) for g in guardians} == {
        ("father", True, 8),
        ("mother", True, 6),
    }
    caregiver = db.call(lambda s: s.exec(select(Caregiver)).one())
    assert caregiver.name == "张老汉" and str(caregiver.entrusted_until) == "2027-02-28"


def test_intake__orphan_in_difficulty__saved_without_caregiver(
    db: Database, director: Caller
) -> None:
    driver = FormDriver(db, director)
    driver.begin()
    assert driver.fill(ORPHAN, MULTI_CHOICE).problems == ()
    assert driver.press("保存").kind == "saved"
    assert db.call(lambda s: s.exec(select(Caregiver)).all()) == []
    aid = db.call(lambda s: s.exec(select(Assistance)).all())
    assert [(a.scope, a.kind) for a in aid] == [("child", "orphan")]


def test_intake__left_behind_aged_16__explains_rule_and_offers_fixes(
    db: Database, director: Caller
) -> None:
    answers = {**LEFT_BEHIND, "child_id": ("text", resident_id(birth="20100101"))}
    driver = FormDriver(db, director)
    driver.begin()
    review = driver.fill(answers, MULTI_CHOICE)
    assert [p.key for p in review.problems] == ["eligibility.age_left_behind"]
    assert "保存" not in driver.buttons()
    driver.press("修改：儿童类别")
    driver.press("困境儿童")
    driver.press("家庭贫困")
    driver.press("完成")
    driver.press("跳过")
    assert driver.screen is not None and driver.screen.kind == "review"
    assert driver.screen.problems == ()


def test_intake__one_parent_away_other_able__not_left_behind(
    db: Database, director: Caller
) -> None:
    answers = {**LEFT_BEHIND, "mother_away": ("press", "否"), "mother_can_guard": ("press", "是")}
    driver = FormDriver(db, director)
    driver.begin()
    review = driver.fill(answers, MULTI_CHOICE)
    assert [p.key for p in review.problems] == ["eligibility.parents"]


def test_intake__same_id_in_another_village__refused_without_naming_the_village(
    db: Database, director: Caller
) -> None:
    other = enrol(db, "director", OTHER_VILLAGE, 1002)
    first = FormDriver(db, other)
    first.begin()
    first.fill(LEFT_BEHIND, MULTI_CHOICE)
    first.press("保存")
    driver = FormDriver(db, director)
    driver.begin()
    review = driver.fill(LEFT_BEHIND, MULTI_CHOICE)
    assert [p.key for p in review.problems] == ["duplicate.id"]
    # Where the child is on file is personal data of its own: the answer does not say.
    assert review.problems[0].values == {}


def test_intake__same_name_and_birth__warns_then_saves_on_confirmation(
    db: Database, director: Caller
) -> None:
    first = FormDriver(db, director)
    first.begin()
    first.fill(LEFT_BEHIND, MULTI_CHOICE)
    first.press("保存")
    twin = {**LEFT_BEHIND, "child_id": ("text", resident_id(birth="20150305", sequence="135"))}
    driver = FormDriver(db, director)
    driver.begin()
    review = driver.fill(twin, MULTI_CHOICE)
    assert [(p.key, p.warning) for p in review.problems] == [("duplicate.name_birth", True)]
    assert driver.press("确认无误，仍然保存").kind == "saved"


def test_edit__saved_field__changed_with_audit_row(db: Database, director: Caller) -> None:
    driver = FormDriver(db, director)
    driver.begin()
    driver.fill(LEFT_BEHIND, MULTI_CHOICE)
    child_id = driver.press("保存").record_id
    assert child_id is not None
    file = db.call(lambda s: load_file(session=s, caller=director, child_id=child_id))
    assert file is not None

    editor = FormDriver(db, director)
    review = editor.begin("intake_edit", record_id=child_id, answers=answers_of(file))
    assert review.kind == "review" and review.problems == ()
    editor.press("修改家庭监护风险等级")
    editor.press("高风险")
    assert editor.press("保存").kind == "saved"
    child = db.call(lambda s: s.get(Child, child_id))
    assert child is not None and child.risk_tier == "high"
    edits = db.call(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "child.edit")).all()
    )
    assert [(e.old_value, e.new_value) for e in edits] == [
        ('{"risk_tier": "medium"}', '{"risk_tier": "high"}')
    ]


def test_files__other_area__refused_with_audit_row(db: Database, director: Caller) -> None:
    driver = FormDriver(db, director)
    driver.begin()
    driver.fill(LEFT_BEHIND, MULTI_CHOICE)
    child_id = driver.press("保存").record_id
    assert child_id is not None
    neighbour = enrol(db, "director", NEIGHBOUR_VILLAGE, 1003)
    assert db.call(lambda s: load_file(session=s, caller=neighbour, child_id=child_id)) is None
    supervisor = enrol(db, "supervisor", TOWNSHIP, 1004)
    file = db.call(lambda s: load_file(session=s, caller=supervisor, child_id=child_id))
    assert file is not None and file.child.name == "张小明"
    denied = db.call(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "child.denied")).all()
    )
    assert len(denied) == 1 and denied[0].actor_staff_id == neighbour.staff_id
