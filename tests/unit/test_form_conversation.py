"""The form in front: paused by other use, resumed by Continue; a redelivered answer re-shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.care.visits import visit_context
from bot.forms import drafts
from bot.forms.model import Field, Form, section
from bot.forms.render import render_screen
from bot.forms.types import max_length
from bot.i18n import I18n
from bot.people.access import Caller
from storage.child_models import Child, FormSession
from storage.db import Database
from storage.visit_models import Escalation
from tests.support.children import file_child
from tests.support.formdriver import NOW, TODAY, FormDriver
from tests.support.intake import LEFT_BEHIND, MULTI_CHOICE
from tests.support.seed import TOWNSHIP, VILLAGE, enrol_caller, seed_region


@pytest.fixture
def director(db: Database) -> Caller:
    seed_region(db)
    return enrol_caller(db, "director", VILLAGE, 1001)


def stored(db: Database) -> FormSession:
    return db.call(lambda s: s.exec(select(FormSession)).one())


def flagged_escalation(db: Database, director: Caller) -> tuple[Caller, int]:
    """A child of the director's with a flagged report open; return its supervisor and its id."""
    child_id = file_child(
        db, director, name="张小明", tier="medium", sequence="123", filed_on=TODAY, today=TODAY
    )
    supervisor = enrol_caller(db, "supervisor", TOWNSHIP, 2001)
    esc = Escalation(
        child_id=child_id,
        village_code=VILLAGE,
        reason="需要乡镇协调维修资金",
        raised_by=director.staff_id,
        raised_at=NOW,
        due_by=NOW + timedelta(hours=24),
    )

    def add(session: Session) -> int:
        session.add(esc)
        session.flush()
        assert esc.id is not None
        return esc.id

    return supervisor, db.call(add)


def test_intake__paused__typed_text_is_no_answer_until_continue(
    db: Database, director: Caller
) -> None:
    driver = FormDriver(db, director)
    driver.begin()
    assert stored(db).asking
    offer = driver.pause()
    assert offer.kind == "paused" and offer.state is not None
    assert offer.state.current == "child_name"
    assert not stored(db).asking
    assert driver.type("小明").kind == "none"
    assert drafts.state_of(stored(db)).answers == {}
    assert driver.pause().kind == "none"  # nothing in front any more: nothing to offer

    driver.screen = offer
    resumed = driver.press("继续填写")
    assert resumed.kind == "question" and resumed.state is not None
    assert resumed.state.current == "child_name" and stored(db).asking
    answered = driver.type("张小明")
    assert answered.state is not None and answered.state.current == "child_id"


def test_paused_offer__discard__asks_first(db: Database, director: Caller) -> None:
    driver = FormDriver(db, director)
    driver.begin()
    driver.pause()
    assert driver.press("放弃").kind == "cancel_confirm"
    assert driver.press("是，放弃").kind == "cancelled"
    assert stored(db).status == drafts.DISCARDED


def test_typed_answer__redelivered_after_crash__next_question_shown_again_draft_unchanged(
    db: Database, director: Caller
) -> None:
    driver = FormDriver(db, director)
    driver.begin()
    first = driver.type("张小明", update_id=500)
    assert first.state is not None and first.state.current == "child_id"
    before = stored(db)
    again = driver.type("张小明", update_id=500)
    assert again.kind == "question" and again.state == first.state
    after = stored(db)
    assert (after.state, after.version) == (before.state, before.version)


def test_press__redelivered_after_crash__current_question_shown_again(
    db: Database, director: Caller
) -> None:
    driver = FormDriver(db, director)
    driver.begin()
    driver.type("张小明")
    driver.type("350121201503051239")
    confirm = driver.screen
    assert confirm is not None and confirm.state is not None
    assert confirm.state.current == "child_id_confirm"
    nxt = driver.press("是", update_id=700)
    assert nxt.state is not None and nxt.state.current != "child_id_confirm"
    before = stored(db)
    driver.screen = confirm  # the same press, from the same (now old) question
    again = driver.press("是", update_id=700)
    assert again.kind == "question" and again.state == nxt.state
    assert stored(db).state == before.state
    driver.screen = confirm  # an old press that is not the last one applied stays stale
    assert driver.press("否", update_id=701).kind == "stale"


def test_resolve_note__answered__shown_back_and_saved_only_on_save(
    db: Database, director: Caller
) -> None:
    supervisor, esc_id = flagged_escalation(db, director)
    driver = FormDriver(db, supervisor)
    driver.begin("esc_resolve", record_id=esc_id)
    confirm = driver.type("已协调民政救助资金维修")
    assert confirm.kind == "review"
    texts = [r.text for r in render_screen(confirm, I18n().translator("zh_Hans"), TODAY)]
    assert "已协调民政救助资金维修" in texts[-1]
    assert db.call(lambda s: s.get(Escalation, esc_id)).state != "resolved"
    assert driver.press("修改").state.current == "note"  # type: ignore[union-attr]
    driver.press("不修改")
    assert driver.press("保存").kind == "saved"
    assert db.call(lambda s: s.get(Escalation, esc_id)).state == "resolved"


LIMITED = Form(
    "limited",
    "form.none",
    (
        section(
            "s",
            "form.none",
            Field("line", "text", "form.none"),
            Field("notes", "long_text", "form.none"),
            Field("name", "text", "form.none", options={"max_length": 50}),
            Field("count", "number", "form.none"),
        ),
    ),
)


def test_text_questions__limit_from_the_table_or_the_field__said_in_the_hint() -> None:
    line, notes, name, count = LIMITED.fields
    assert (max_length(line), max_length(notes), max_length(name)) == (200, 1000, 50)
    assert max_length(count) is None
    for locale, hint in (("zh_Hans", "（最多 {} 字）"), ("en", "(at most {} characters)")):
        t = I18n().translator(locale)
        for f in (line, notes, name):
            assert hint.format(max_length(f)) in t("form.hint.max_length", limit=max_length(f))


def test_text_answer__longer_than_the_table__refused_with_the_limit() -> None:
    from bot.errors import InvalidAnswer
    from bot.forms.types import FIELD_TYPES, ParseContext

    line = LIMITED.fields[0]
    parse = FIELD_TYPES["text"].parse
    assert parse is not None
    assert parse("字" * 200, line, ParseContext(today=TODAY)) == "字" * 200
    with pytest.raises(InvalidAnswer) as refused:
        parse("字" * 201, line, ParseContext(today=TODAY))
    assert refused.value.values.get("limit") == 200


def test_urgent_note__redelivered_after_crash__110_notice_shown_again_until_next_answer(
    db: Database, director: Caller
) -> None:
    child_id = file_child(
        db, director, name="张小明", tier="medium", sequence="123", filed_on=TODAY, today=TODAY
    )
    driver = FormDriver(db, director)
    child = db.call(lambda s: s.get(Child, child_id))
    driver.begin("visit", record_id=child_id, answers=visit_context(child, TODAY))
    driver.press("入户走访")
    driver.press("今天")
    driver.press("失踪")
    driver.press("完成")
    first = driver.type("孩子昨晚没回家", update_id=900)
    assert first.info.get("notice") == "visit.urgent_raised"
    # The reply was lost to a crash: the same update, run again, shows the notice again.
    again = driver.type("孩子昨晚没回家", update_id=900)
    assert again.info.get("notice") == "visit.urgent_raised"
    assert again.state == first.state
    assert len(db.call(lambda s: s.exec(select(Escalation)).all())) == 1
    # Once the next question is answered the notice has been seen.
    nxt = driver.press(next(iter(driver.buttons())), update_id=901)
    assert nxt.error is None and not nxt.info.get("notice")
    assert not driver.type("孩子昨晚没回家", update_id=900).info.get("notice")


def test_save__redelivered_after_crash__says_saved_again_nothing_filed_twice(
    db: Database, director: Caller
) -> None:
    driver = FormDriver(db, director)
    driver.begin()
    driver.fill(LEFT_BEHIND, MULTI_CHOICE)
    review = driver.screen
    saved = driver.press("保存", update_id=800)
    assert saved.kind == "saved" and saved.record_id is not None
    driver.screen = review  # the same press, from the same review
    again = driver.press("保存", update_id=800)
    assert (again.kind, again.record_id, again.info) == ("saved", saved.record_id, saved.info)
    assert len(db.call(lambda s: s.exec(select(Child)).all())) == 1
    driver.screen = review  # any other press on the saved draft is stale
    assert driver.press("保存", update_id=801).kind == "stale"
