"""Statistics of an area against a seeded data set whose answers are worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from bot.county.coverage import county_coverage
from bot.errors import AccessDenied, UserError
from bot.i18n import I18n
from bot.oversight.figures import AreaFigures, Ratio, area_figures
from bot.oversight.periods import compliance_slots
from bot.oversight.screen import stats_text
from storage.child_models import Child
from storage.county_models import TrainingAttendance, TrainingEvent
from storage.db import Database
from tests.support.seed import COUNTY, NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP, TOWNSHIP, VILLAGE
from tests.support.stats_data import NOW, TODAY, seed_stats

TZ = ZoneInfo("Asia/Shanghai")


def figures(db: Database, who: str, code: str) -> AreaFigures:
    callers = seed_stats(db)
    return area_figures(db=db, caller=callers[who], code=code, today=TODAY, now=NOW, tz=TZ)


def test_compliance_slots__mid_november__month_and_quarter_owe_what_the_cadence_says() -> None:
    month = {(s.tiers, s.kinds, str(s.start)) for s in compliance_slots("month", TODAY)}
    assert month == {
        (("low",), ("contact", "home_visit"), "2026-11-01"),
        (("high", "medium"), ("home_visit",), "2026-11-01"),
    }
    quarter = compliance_slots("quarter", TODAY)
    # low: a contact or visit in October and in November, a home visit in the quarter;
    # medium and high: a home visit in October and in November. December has not begun.
    assert sorted((s.tiers, s.kinds, str(s.start), str(s.end)) for s in quarter) == [
        (("high", "medium"), ("home_visit",), "2026-10-01", "2026-10-31"),
        (("high", "medium"), ("home_visit",), "2026-11-01", "2026-11-30"),
        (("low",), ("contact", "home_visit"), "2026-10-01", "2026-10-31"),
        (("low",), ("contact", "home_visit"), "2026-11-01", "2026-11-30"),
        (("low",), ("home_visit",), "2026-10-01", "2026-12-31"),
    ]


def test_area_figures__township__children_compliance_overdue_by_village(db: Database) -> None:
    found = figures(db, "supervisor", TOWNSHIP)
    assert [u.name for u in found.units] == ["溪头村", "上洋村"]
    village, neighbour = found.units
    total = found.total
    # The closed child (小丁) is left out everywhere.
    assert (total.children, village.children, neighbour.children) == (4, 3, 1)
    assert dict(total.categories) == {"left_behind": 2, "difficulty": 2}
    assert dict(total.difficulties) == {"poverty": 1, "disability": 1}
    assert dict(total.tiers) == {"low": 2, "medium": 1, "high": 1}
    # November: 小安 (contact), 小晨 (home visit) done; 小贝, 小鹅 not.
    assert (village.month, neighbour.month, total.month) == (Ratio(2, 3), Ratio(0, 1), Ratio(2, 4))
    assert total.month.percent == 50
    # The quarter so far: 小安 3 of 3, 小贝 1 of 2, 小晨 1 of 2, 小鹅 0 of 3.
    assert (village.quarter, neighbour.quarter) == (Ratio(5, 7), Ratio(0, 3))
    assert (village.overdue, neighbour.overdue) == (1, 1)
    assert (village.drafts, neighbour.drafts) == (1, 0)
    assert (village.directors, neighbour.directors) == (1, 0)
    assert (total.villages, total.without_director, total.overloaded) == (2, 1, 0)
    assert found.short_villages == [("上洋村", 1, 0)]
    # One open escalation at the township, two days old (the second age group).
    assert found.escalations["township"] == [0, 1, 0, 0]
    assert found.escalations["county"] == [0, 0, 0, 0]
    assert found.parent is None  # the county lies outside a supervisor's area


def test_area_figures__county__townships_with_overloaded_village_and_old_escalation(
    db: Database,
) -> None:
    found = figures(db, "admin", COUNTY)
    assert [u.code for u in found.units] == [TOWNSHIP, OTHER_TOWNSHIP]
    other = found.units[1]
    assert other.children == 32 and other.overloaded == 1 and other.without_director == 0
    # 小飞: home visit on 1 November; the 31 low children never visited.
    assert other.month == Ratio(1, 32)
    assert other.quarter == Ratio(1, 2 + 31 * 3)
    assert found.total.children == 36
    assert found.escalations["county"] == [0, 0, 0, 1]


def test_area_figures__village__its_own_figures_and_a_way_back(db: Database) -> None:
    found = figures(db, "supervisor", VILLAGE)
    assert found.units == [] and found.total.children == 3
    assert found.parent == TOWNSHIP


def test_area_figures__area_outside_callers__refused(db: Database) -> None:
    with pytest.raises(AccessDenied):
        figures(db, "supervisor", "350121101")


def test_area_figures__director__refused_even_own_village(db: Database) -> None:
    with pytest.raises(AccessDenied):
        figures(db, "director", VILLAGE)


def test_area_figures__unknown_code_inside_area__told(db: Database) -> None:
    with pytest.raises(UserError):
        figures(db, "admin", "350121199")


def test_area_figures__neighbour_village_view__shows_it_has_no_director(db: Database) -> None:
    found = figures(db, "supervisor", NEIGHBOUR_VILLAGE)
    assert found.total.without_director == 1 and found.short_villages == [("上洋村", 1, 0)]


def test_seed__visits_of_closed_child_exist_but_do_not_count(db: Database) -> None:
    from storage.visit_models import Visit

    found = figures(db, "supervisor", VILLAGE)
    visits = db.read(lambda s: s.exec(select(Visit)).all())
    assert len(visits) == 7 and found.total.month == Ratio(2, 3)


def test_area_figures__county__training_coverage_this_year_by_township(db: Database) -> None:
    callers = seed_stats(db)
    director, supervisor = callers["director"], callers["supervisor"]

    def train(session: Session) -> None:
        event = TrainingEvent(
            org_code=COUNTY,
            held_on=TODAY.replace(month=3, day=15),
            level="county",
            hours=Decimal("6"),
            organiser="闽侯县民政局",
            topic="儿童主任业务培训",
            created_at=NOW,
        )
        last_year = TrainingEvent(
            org_code=COUNTY,
            held_on=TODAY.replace(year=TODAY.year - 1),
            level="county",
            hours=Decimal("6"),
            organiser="闽侯县民政局",
            topic="去年的培训",
            created_at=NOW,
        )
        session.add_all([event, last_year])
        session.flush()
        assert event.id is not None and last_year.id is not None
        session.add(
            TrainingAttendance(event_id=event.id, staff_id=director.staff_id, recorded_at=NOW)
        )
        # Last year's training does not count this year.
        session.add(
            TrainingAttendance(event_id=last_year.id, staff_id=supervisor.staff_id, recorded_at=NOW)
        )

    db.call(train)
    found = area_figures(db=db, caller=callers["admin"], code=COUNTY, today=TODAY, now=NOW, tz=TZ)
    # The same figures as the county's coverage report (`staff coverage`).
    coverage = db.call(lambda s: county_coverage(session=s, county_code=COUNTY, year=TODAY.year))
    assert (
        (found.total.trained, found.total.to_train)
        == (1, coverage.staff)
        == (
            coverage.trained,
            coverage.staff,
        )
    )
    by_name = {u.name: (u.trained, u.to_train) for u in found.units}
    assert by_name["白沙镇"][0] == 1 and sum(n for _, n in by_name.values()) == coverage.staff
    percent = round(100 / coverage.staff)
    text = stats_text(found, I18n().translator("zh_Hans"))
    assert f"培训覆盖：{percent}% 1/{coverage.staff}" in text


def test_area_figures__files_pending_review_and_returned__counted_closed_left_out(
    db: Database,
) -> None:
    callers = seed_stats(db)

    def mark(session: Session) -> None:
        children = session.exec(select(Child).order_by(col(Child.id))).all()
        open_ones = [c for c in children if not c.closed]
        closed = [c for c in children if c.closed]
        open_ones[0].review_state = "pending"
        open_ones[1].review_state = "pending"
        open_ones[2].review_state = "returned"
        for child in closed:  # a closed file under review is not counted
            child.review_state = "pending"

    db.call(mark)
    found = area_figures(
        db=db, caller=callers["supervisor"], code=TOWNSHIP, today=TODAY, now=NOW, tz=TZ
    )
    assert (found.total.pending_review, found.total.returned) == (2, 1)
    assert sum(u.pending_review for u in found.units) == 2
    text = stats_text(found, I18n().translator("zh_Hans"))
    assert "待督导员审核的档案：2 份；退回修改：1 份" in text
