"""Who may send an urgent report or a visit report where, and a placeholder's birth date."""

from __future__ import annotations

from datetime import date

from bot.care.urgent import approximate_birth_date
from bot.care.visits import reaches
from bot.people.access import Caller
from bot.people.roles import Action, Role, roles_that_may

VILLAGE, NEIGHBOUR, ELSEWHERE = "350121100201", "350121100202", "350121101201"


def caller(role: Role, org: str, prefix: str) -> Caller:
    return Caller(1, role, org, prefix, "zh_Hans", "王芳")


def test_roles_that_may__directors_and_supervisors_visit_and_report_urgently() -> None:
    for action in (Action.REPORT_VISITS, Action.REPORT_URGENT):
        assert roles_that_may(action) == {Role.DIRECTOR, Role.SUPERVISOR}
    assert roles_that_may(Action.KEEP_FILES) == {Role.DIRECTOR}


def test_reaches__director_own_village_only__supervisor_whole_township() -> None:
    director = caller(Role.DIRECTOR, VILLAGE, VILLAGE)
    supervisor = caller(Role.SUPERVISOR, "350121100", "350121100")
    admin = caller(Role.ADMIN, "350121", "350121")
    assert reaches(director, Action.REPORT_URGENT, VILLAGE)
    assert not reaches(director, Action.REPORT_URGENT, NEIGHBOUR)
    assert reaches(supervisor, Action.REPORT_VISITS, NEIGHBOUR)
    assert not reaches(supervisor, Action.REPORT_VISITS, ELSEWHERE)
    assert not reaches(supervisor, Action.KEEP_FILES, VILLAGE)
    assert not reaches(admin, Action.REPORT_URGENT, VILLAGE)


def testapproximate_birth_date__approximate_age__same_day_that_many_years_back() -> None:
    assert approximate_birth_date(date(2026, 11, 2), 8) == date(2018, 11, 2)
    assert approximate_birth_date(date(2028, 2, 29), 3) == date(2025, 2, 28)
    assert approximate_birth_date(date(2026, 11, 2), None) == date(2026, 11, 2)
