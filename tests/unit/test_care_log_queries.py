"""Help given, the work log and care needs, read back by area for exports and counts."""

from __future__ import annotations

from datetime import date

import pytest

from bot.care import care_log
from bot.errors import UserError
from bot.people.access import Caller
from storage import care_log_queries
from storage.db import Database
from tests.support.children import file_child
from tests.support.formdriver import NOW
from tests.support.seed import NEIGHBOUR_VILLAGE, VILLAGE, enrol_caller, seed_region

NOVEMBER = {"since": date(2026, 11, 1), "until": date(2026, 11, 30)}


def _file(db: Database, director: Caller, name: str, sequence: str) -> int:
    return file_child(
        db,
        director,
        name=name,
        tier="medium",
        sequence=sequence,
        filed_on=date(2026, 11, 2),
        today=date(2026, 11, 2),
    )


def test_exports__help_and_work_log__only_the_area_asked_for(db: Database) -> None:
    seed_region(db)
    ours = enrol_caller(db, "director", VILLAGE, 1001)
    theirs = enrol_caller(db, "director", NEIGHBOUR_VILLAGE, 1002)
    mine, other = _file(db, ours, "张小明", "111"), _file(db, theirs, "李小红", "113")
    for caller, child in ((ours, mine), (theirs, other)):
        answers = {
            "_child": child,
            "kind": "material",
            "given_by": "村委会",
            "given_on": "2026-11-02",
        }
        db.call(
            lambda s, c=caller, a=answers: care_log.save_help(
                session=s, caller=c, answers=a, now=NOW
            )
        )
    start = db.call(lambda s: care_log.work_log_context(session=s, caller=ours))
    assert start["_children"] == [[mine, "张小明"]]
    answers = {**start, "done_on": "2026-11-02", "what": "入户宣传", "children": [str(mine)]}
    db.call(lambda s: care_log.save_work_log(session=s, caller=ours, answers=answers, now=NOW))

    help_rows = db.call(
        lambda s: care_log_queries.help_given_in_area(
            session=s, area_prefix=ours.area_prefix, **NOVEMBER
        )
    )
    assert [(h.child_id, c.name) for h, c in help_rows] == [(mine, "张小明")]
    log = db.call(
        lambda s: care_log_queries.work_log_in_area(
            session=s, area_prefix=ours.area_prefix, **NOVEMBER
        )
    )
    assert [(e.what, children) for e, children in log] == [("入户宣传", [mine])]
    needs = db.call(lambda s: care_log_queries.needs_in_area(session=s, area_prefix=VILLAGE))
    assert needs == {"study": 1}


def test_work_log__child_of_another_village__refused(db: Database) -> None:
    seed_region(db)
    ours = enrol_caller(db, "director", VILLAGE, 1001)
    theirs = enrol_caller(db, "director", NEIGHBOUR_VILLAGE, 1002)
    other = _file(db, theirs, "李小红", "113")
    start = db.call(lambda s: care_log.work_log_context(session=s, caller=ours))
    answers = {**start, "done_on": "2026-11-02", "what": "入户宣传", "children": [str(other)]}
    with pytest.raises(UserError) as refused:
        db.call(lambda s: care_log.save_work_log(session=s, caller=ours, answers=answers, now=NOW))
    assert refused.value.key == "worklog.error.not_offered"
    log = db.call(
        lambda s: care_log_queries.work_log_in_area(session=s, area_prefix="", **NOVEMBER)
    )
    assert log == []
