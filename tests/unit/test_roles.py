"""Roles and routing as data: who may do what, and the ladder a report climbs."""

from __future__ import annotations

from bot.people.roles import Action, Role, Rung, Scope, first_staffed, ladder_above, may, scope_of

# A village's chain up the org tree, as the tree gives it: the village first.
CHAIN = [
    ("350121100201", "village"),
    ("350121100", "township"),
    ("350121", "county"),
    ("350100", "city"),
    ("350000", "province"),
]


def test_may__director_reports_visits_in_own_village_but_handles_no_escalation() -> None:
    assert may(Role.DIRECTOR, Action.REPORT_VISITS)
    assert scope_of("director", Action.REPORT_VISITS) is Scope.OWN_UNIT
    assert not may(Role.DIRECTOR, Action.HANDLE_ESCALATIONS)


def test_may__supervisors_and_admins_handle_escalations_in_their_area() -> None:
    for role in (Role.SUPERVISOR, Role.ADMIN):
        assert scope_of(role, Action.HANDLE_ESCALATIONS) is Scope.AREA
        assert not may(role, Action.LIST_DUE)


def test_ladder_above__village__township_supervisors_then_admins_up_to_the_province() -> None:
    assert ladder_above(CHAIN) == [
        Rung("township", "350121100", Role.SUPERVISOR),
        Rung("county", "350121", Role.ADMIN),
        Rung("city", "350100", Role.ADMIN),
        Rung("province", "350000", Role.ADMIN),
    ]


def test_ladder_above__from_the_county__township_left_out() -> None:
    assert [rung.level for rung in ladder_above(CHAIN, from_level="county")] == [
        "county",
        "city",
        "province",
    ]


def test_first_staffed__nobody_at_county__the_city_admins() -> None:
    people = {"350100": ["市管理员"], "350000": ["省管理员"]}
    found = first_staffed(
        ladder_above(CHAIN, from_level="county"), lambda r: people.get(r.org_code, [])
    )
    assert found == (Rung("city", "350100", Role.ADMIN), ["市管理员"])


def test_first_staffed__nobody_anywhere__none() -> None:
    assert first_staffed(ladder_above(CHAIN), lambda rung: []) is None


def test_may__statistics__supervisors_and_admins_in_their_area_not_directors() -> None:
    assert scope_of(Role.SUPERVISOR, Action.VIEW_STATS) is Scope.AREA
    assert scope_of(Role.ADMIN, Action.VIEW_STATS) is Scope.AREA
    assert not may(Role.DIRECTOR, Action.VIEW_STATS)
