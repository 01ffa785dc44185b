"""Synthetic province-scale data for benchmarks and demos, written through bulk inserts."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from bot.care.cadence import next_due
from bot.errors import UserError
from bot.i18n import N_
from storage import demo_queries

CHILDREN_PER_VILLAGE = 16
VILLAGES_PER_TOWNSHIP = 14
TOWNSHIPS_PER_COUNTY = 12
COUNTIES_PER_CITY = 9
TIERS = (("low", 0.7), ("medium", 0.2), ("high", 0.1))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑"
GIVEN = "小明红华丽强军平静敏燕芳伟娜秀英杰涛"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHUNK = 20_000


@dataclass(frozen=True)
class DemoSize:
    children: int
    villages: int
    townships: int
    counties: int
    cities: int


def size_for(children: int) -> DemoSize:
    villages = max(1, -(-children // CHILDREN_PER_VILLAGE))
    townships = max(1, -(-villages // VILLAGES_PER_TOWNSHIP))
    counties = max(1, -(-townships // TOWNSHIPS_PER_COUNTY))
    cities = max(1, -(-counties // COUNTIES_PER_CITY))
    return DemoSize(children, villages, townships, counties, cities)


def _id_number(region: str, birth: date, sequence: int) -> str:
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def _chunks(rows: Iterator[dict[str, object]]) -> Iterator[list[dict[str, object]]]:
    batch: list[dict[str, object]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _org(code: str, name: str, level: str, parent: str | None) -> dict[str, object]:
    return {"code": code, "name": name, "level": level, "parent_code": parent}


def _org_rows(size: DemoSize) -> tuple[list[dict[str, object]], list[str]]:
    rows: list[dict[str, object]] = [_org("350000", "演示省", "province", None)]
    villages: list[str] = []
    county_codes: list[str] = []
    for c in range(size.cities):
        city = f"35{c + 1:02d}00"
        rows.append(_org(city, f"演示市{c + 1}", "city", "350000"))
        for k in range(COUNTIES_PER_CITY):
            if len(county_codes) == size.counties:
                break
            county = f"35{c + 1:02d}{k + 1:02d}"
            county_codes.append(county)
            rows.append(_org(county, f"演示县{len(county_codes)}", "county", city))
    township_count = 0
    for county in county_codes:
        for t in range(TOWNSHIPS_PER_COUNTY):
            if township_count == size.townships:
                break
            township_count += 1
            township = f"{county}{t + 100:03d}"
            rows.append(_org(township, f"演示镇{township_count}", "township", county))
            for v in range(VILLAGES_PER_TOWNSHIP):
                if len(villages) == size.villages:
                    break
                village = f"{township}{v + 200:03d}"
                villages.append(village)
                rows.append(_org(village, f"演示村{len(villages)}", "village", township))
    return rows, villages


def refuse_live_database(engine: Engine) -> None:
    """Never write demo data where real staff enrolled through Telegram."""
    enrolled = demo_queries.count_enrolled_staff(engine=engine)
    if enrolled:
        raise UserError(N_("demo.error.live_database"), count=enrolled)


def generate(engine: Engine, *, children: int, seed: int, today: date) -> DemoSize:
    """Write a region tree, staff, children and three months of visits; return the sizes."""
    refuse_live_database(engine)
    rng = random.Random(seed)
    size = size_for(children)
    orgs, villages = _org_rows(size)
    now = datetime.now(UTC)
    staff_rows = []
    for index, org in enumerate(o for o in orgs if o["level"] != "city"):
        role = {"village": "director", "township": "supervisor"}.get(str(org["level"]), "admin")
        # Demo staff carry negative ids: they look enrolled to the sweep, and no real
        # Telegram account has one, so a live database is always told apart.
        staff_rows.append(
            {
                "role": role,
                "org_code": org["code"],
                "name": f"演示{role}{index}",
                "telegram_user_id": -(index + 1),
                "active": True,
                "created_at": now,
                "enrolled_at": now,
            }
        )
    director_of = demo_queries.insert_region(engine=engine, orgs=orgs, staff=staff_rows)
    start = today - timedelta(days=90)

    def child_rows() -> Iterator[dict[str, object]]:
        for number in range(children):
            village = villages[number // CHILDREN_PER_VILLAGE]
            tier = rng.choices([t for t, _ in TIERS], [w for _, w in TIERS])[0]
            birth = date(2011, 1, 1) + timedelta(days=number // 1000 % 4000)
            contact = start + timedelta(days=rng.randrange(90)) if rng.random() < 0.8 else None
            visit = start + timedelta(days=rng.randrange(90)) if rng.random() < 0.6 else None
            # Due dates are stored when something happens, so compute them as of the last
            # contact (or filing): children not seen for a while come out overdue.
            last_event = max((d for d in (contact, visit) if d), default=start)
            contact_due, visit_due = next_due(
                tier=tier,
                filed_on=start,
                last_contact_on=contact,
                last_visit_on=visit,
                today=last_event,
            )
            yield {
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "id_number": _id_number(village[:6], birth, number % 1000),
                "sex": "male",
                "birth_date": birth,
                "ethnicity": "han",
                "home_address": f"{village} 1号",
                "hukou": "rural",
                "category": "left_behind",
                "single_parent": "no",
                "schooling": "primary",
                "guardianship": "fair",
                "health": "healthy",
                "risk_tier": tier,
                "village_code": village,
                "filed_by": director_of[village],
                "filed_at": now,
                "updated_at": now,
                "last_contact_on": contact,
                "last_visit_on": visit,
                "next_contact_due": contact_due,
                "next_visit_due": visit_due,
                "closed": False,
            }

    demo_queries.insert_children(engine=engine, batches=_chunks(child_rows()))
    _visits(engine, rng, start, now)
    return size


def _visits(engine: Engine, rng: random.Random, start: date, now: datetime) -> None:
    """One to three visits per child with a recorded contact, over the last three months."""
    children = demo_queries.children_for_visits(engine=engine)

    def rows() -> Iterator[dict[str, object]]:
        for child_id, author, tier, last_visit, last_contact in children:
            for on, kind in ((last_visit, "home_visit"), (last_contact, "contact")):
                if on is None:
                    continue
                yield {
                    "child_id": child_id,
                    "author_id": author,
                    "kind": kind,
                    "visited_on": on,
                    "met": "child",
                    "seen_in_person": True,
                    "urgent": "",
                    "tier_before": tier,
                    "tier_after": tier,
                    "media": "{}",
                    "flagged": False,
                    "caregiver_changed": False,
                    "created_at": now,
                    "updated_at": now,
                }

    demo_queries.insert_visits(engine=engine, batches=_chunks(rows()))
