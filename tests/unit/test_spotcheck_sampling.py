"""The spot check's sample: proportional across townships, one each when it can, reproducible."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.audit import Actor
from bot.county import sampling, spotcheck
from bot.errors import UserError
from storage.county_models import SpotCheck, SpotCheckFile
from storage.db import Database
from tests.support.county import add_children
from tests.support.seed import (
    COUNTY,
    NOW,
    OTHER_TOWNSHIP,
    OTHER_VILLAGE,
    TOWNSHIP,
    VILLAGE,
    invite,
    seed_region,
)


def test_allocate__proportional_with_one_place_for_every_township() -> None:
    places = sampling.allocate({"A": 80, "B": 15, "C": 5}, 10)
    assert places == {"A": 8, "B": 1, "C": 1}
    assert sum(places.values()) == 10


def test_allocate__small_township_keeps_its_place_and_never_gets_more_than_it_has() -> None:
    assert sampling.allocate({"A": 1, "B": 99}, 50) == {"A": 1, "B": 49}
    assert sampling.allocate({"A": 2, "B": 3}, 5) == {"A": 2, "B": 3}


def test_allocate__fewer_places_than_townships__the_largest_get_them() -> None:
    assert sampling.allocate({"A": 10, "B": 30, "C": 20}, 2) == {"B": 1, "C": 1}


def test_allocate__more_than_the_population__refused() -> None:
    with pytest.raises(ValueError):
        sampling.allocate({"A": 2}, 3)


def test_draw__same_seed_same_sample__another_seed_another() -> None:
    strata = {"A": list(range(100)), "B": list(range(100, 140))}
    first = sampling.draw(strata, 14, "350121:2026:7")
    assert first == sampling.draw(strata, 14, "350121:2026:7")
    assert {k: len(v) for k, v in first.items()} == {"A": 10, "B": 4}
    assert first != sampling.draw(strata, 14, "350121:2026:8")


@pytest.fixture
def county(db: Database) -> Database:
    seed_region(db)
    region = db
    director = invite(region, "director", VILLAGE).staff.id or 0
    add_children(region, VILLAGE, 30, filed_by=director)
    add_children(region, OTHER_VILLAGE, 10, filed_by=director)
    return region


def _draw(db: Database, size: int, seed: int) -> spotcheck.Drawn:
    return db.call(
        lambda s: spotcheck.draw_sample(
            session=s,
            county_code=COUNTY,
            year=2026,
            size=size,
            seed=seed,
            actor=Actor.cli(),
            now=NOW,
        )
    )


def test_draw_sample__stratified_by_township_and_redrawn_identically(county: Database) -> None:
    drawn = _draw(county, 8, 42)
    assert drawn.per_township == {TOWNSHIP: 6, OTHER_TOWNSHIP: 2}
    first = [f.child_id for f in drawn.files]
    again = [f.child_id for f in _draw(county, 8, 42).files]
    assert first == again
    assert county.call(lambda s: len(s.exec(select(SpotCheckFile)).all())) == 8
    assert county.call(lambda s: len(s.exec(select(SpotCheck)).all())) == 1


def test_draw_sample__larger_than_the_county__clear_message_nothing_written(
    county: Database,
) -> None:
    with pytest.raises(UserError) as refused:
        _draw(county, 41, 1)
    assert refused.value.key == "spotcheck.error.too_large"
    assert refused.value.values == {"size": 41, "count": 40, "code": COUNTY}
    assert county.call(lambda s: s.exec(select(SpotCheck)).all()) == []


def test_draw_sample__a_township_code__refused(county: Database) -> None:
    with pytest.raises(UserError) as refused:
        county.call(
            lambda s: spotcheck.draw_sample(
                session=s,
                county_code=TOWNSHIP,
                year=2026,
                size=1,
                seed=1,
                actor=Actor.cli(),
                now=NOW,
            )
        )
    assert refused.value.key == "spotcheck.error.not_county"
