"""A small seeded area with known statistics: children, visits, escalations, drafts, directors.

Today is Monday 16 November 2026. In 白沙镇 (TOWNSHIP):
- 溪头村 (VILLAGE), one enrolled director: 小安 low, left-behind, contact on 3 Nov and a home
  visit on 10 Oct; 小贝 medium, in difficulty (poverty), home visit on 5 Oct, overdue since
  31 Oct; 小晨 high, in difficulty (disability), home visit on 10 Nov; 小丁 low, closed (left out
  however visited). An open intake draft of the director; an escalation raised two days ago,
  open at the township; one resolved on 20 October (raised on 19 October).
- 上洋村 (NEIGHBOUR_VILLAGE), no director: 小鹅 low, left-behind, never visited, overdue.
In 南屿镇 (OTHER_TOWNSHIP), 南井村 (OTHER_VILLAGE), one director: 小飞 medium, home visit on
1 Nov; 31 more low children never visited (not overdue): 32 children for one director, more
than 30; an escalation raised ten days ago, open at the county.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count

from bot.people.access import Caller
from storage.child_models import Child, FormSession
from storage.db import Database
from storage.visit_models import Escalation, EscalationEvent, Visit
from tests.support.ids import resident_id
from tests.support.seed import (
    COUNTY,
    NEIGHBOUR_VILLAGE,
    OTHER_VILLAGE,
    VILLAGE,
    enrol_caller,
    seed_region,
)

TODAY = date(2026, 11, 16)
NOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # 10:00 in Fujian
_numbers = count(1)


def _child(village: str, filer: int, name: str, tier: str, **extra: object) -> Child:
    number = next(_numbers)
    return Child(
        name=name,
        id_number=resident_id(birth="20150305", sequence=f"{number:03d}"),
        sex="male",
        birth_date=date(2015, 3, 5),
        ethnicity="han",
        home_address="某地1号",
        hukou="rural",
        category=extra.pop("category", "left_behind"),
        single_parent="no",
        schooling="primary",
        guardianship="fair",
        health="healthy",
        risk_tier=tier,
        village_code=village,
        filed_by=filer,
        filed_at=datetime(2026, 9, 1, tzinfo=UTC),
        updated_at=datetime(2026, 9, 1, tzinfo=UTC),
        **extra,  # type: ignore[arg-type]
    )


def _visit(child: Child, author: int, kind: str, on: date) -> Visit:
    assert child.id is not None
    return Visit(
        child_id=child.id,
        author_id=author,
        kind=kind,
        visited_on=on,
        seen_in_person=True,
        tier_before=child.risk_tier,
        tier_after=child.risk_tier,
        created_at=NOW,
        updated_at=NOW,
    )


def seed_stats(db: Database) -> dict[str, Caller]:
    """Seed the area above; return its staff as callers (director, other_director, supervisor,
    county admin)."""
    seed_region(db)
    director = enrol_caller(db, "director", VILLAGE, 1001)
    other_director = enrol_caller(db, "director", OTHER_VILLAGE, 1002)
    supervisor = enrol_caller(db, "supervisor", "350121100", 2001)
    admin = enrol_caller(db, "admin", COUNTY, 3001)
    d, o = director.staff_id, other_director.staff_id

    def work(session: object) -> None:
        add = session.add  # type: ignore[attr-defined]
        flush = session.flush  # type: ignore[attr-defined]
        an = _child(VILLAGE, d, "小安", "low")
        bei = _child(
            VILLAGE,
            d,
            "小贝",
            "medium",
            category="difficulty",
            difficulty_type="poverty",
            next_visit_due=date(2026, 10, 31),
        )
        chen = _child(
            VILLAGE, d, "小晨", "high", category="difficulty", difficulty_type="disability"
        )
        ding = _child(VILLAGE, d, "小丁", "low", closed=True, next_contact_due=date(2026, 1, 1))
        e = _child(NEIGHBOUR_VILLAGE, d, "小鹅", "low", next_contact_due=date(2026, 10, 31))
        fei = _child(OTHER_VILLAGE, o, "小飞", "medium")
        for child in (an, bei, chen, ding, e, fei):
            add(child)
        for number in range(31):
            add(_child(OTHER_VILLAGE, o, f"小南{number}", "low"))
        flush()
        for child, kind, on in (
            (an, "contact", date(2026, 11, 3)),
            (an, "home_visit", date(2026, 10, 10)),
            (bei, "home_visit", date(2026, 10, 5)),
            (chen, "home_visit", date(2026, 11, 10)),
            (chen, "contact", date(2026, 9, 20)),  # last quarter: counts for nothing here
            (ding, "home_visit", date(2026, 11, 2)),
            (fei, "home_visit", date(2026, 11, 1)),
        ):
            add(_visit(child, d if child.village_code != OTHER_VILLAGE else o, kind, on))
            # As saving a visit does: the child row keeps the latest of each kind.
            column = "last_contact_on" if kind == "contact" else "last_visit_on"
            setattr(child, column, max(on, getattr(child, column) or on))
        flush()
        for child, level, state, raised in (
            (an, "township", "open", NOW - timedelta(days=2)),
            (bei, "township", "resolved", datetime(2026, 10, 19, tzinfo=UTC)),
            (fei, "county", "acknowledged", NOW - timedelta(days=10)),
        ):
            esc = Escalation(
                child_id=child.id,
                village_code=child.village_code,
                reason="test",
                level=level,
                state=state,
                raised_by=d,
                raised_at=raised,
                due_by=raised + timedelta(hours=24),
            )
            add(esc)
            flush()
            if state == "resolved":
                add(
                    EscalationEvent(
                        escalation_id=esc.id,
                        action="resolved",
                        actor_id=supervisor.staff_id,
                        at=raised + timedelta(days=1),
                    )
                )
        add(FormSession(staff_id=d, form="intake", state="{}", created_at=NOW, updated_at=NOW))
        add(
            FormSession(
                staff_id=d,
                form="intake",
                state="{}",
                status="saved",
                created_at=NOW,
                updated_at=NOW,
            )
        )

    db.call(work)
    return {
        "director": director,
        "other_director": other_director,
        "supervisor": supervisor,
        "admin": admin,
    }
