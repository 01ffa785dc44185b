"""Practice data is left out of real areas' counts and reports, and of counts over everything
that use the `real_units` filter."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.county.coverage import county_coverage
from bot.county.progress import progress
from bot.practice import area
from storage.child_models import Child
from storage.db import Database
from storage.practice_queries import real_units
from tests.support.county import add_children
from tests.support.formdriver import NOW, TODAY
from tests.support.seed import CITY, COUNTY, VILLAGE, enrol_caller, seed_region


def test_practice_area__not_counted_in_real_areas_nor_through_the_filter(db: Database) -> None:
    seed_region(db)
    director = enrol_caller(db, "director", VILLAGE, 1001)
    add_children(db, VILLAGE, 2, filed_by=director.staff_id)
    status = db.call(
        lambda s: area.enter(
            session=s, real_staff_id=director.staff_id, telegram_user_id=1001, now=NOW, today=TODAY
        )
    )
    assert status.files == 3 and status.village.startswith("99")

    def counts(session: Session) -> tuple[int, int]:
        everything = len(session.exec(select(Child.id)).all())
        real = len(session.exec(select(Child.id).where(real_units(col(Child.village_code)))).all())
        return everything, real

    assert db.call(counts) == (5, 2)
    county = db.call(lambda s: county_coverage(session=s, county_code=COUNTY, year=2026))
    assert county.villages == 3 and county.staff == 1  # the practice director is not counted
    report = db.call(
        lambda s: progress(
            session=s, org_code=CITY, year=2026, as_of=TODAY, tz=ZoneInfo("Asia/Shanghai")
        )
    )
    assert report.total.files == 2
