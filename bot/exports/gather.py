"""Gather an area's files chunk by chunk into ledger rows: parents, caregiver, aid, quarters.

Each chunk of children costs a handful of queries (parents, caregivers, aid, the year's home
visits and their problems), never one per child, and only one chunk is held at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from bot.exports.ledger import ChildLedger, QuarterVisit, Shown, problems_text, unit_names
from storage import export_queries, queries


@dataclass(frozen=True)
class AreaFacts:
    """What every row of an area looks up: unit names, staff names and the village directors."""

    units: Mapping[str, tuple[str, str, str | None]]
    staff_names: Mapping[int, str]
    directors: Mapping[str, tuple[str, str]]  # village code -> (name, phone)


def area_facts(*, session: Session, area_prefix: str) -> AreaFacts:
    units = export_queries.units_under(session=session, area_prefix=area_prefix)
    # The units just above the area (a village's township), for the names of its rows.
    for parent in {p for _name, _level, p in units.values() if p and p not in units}:
        org = queries.get_org(session=session, code=parent)
        if org is not None:
            units[org.code] = (org.name, org.level, org.parent_code)
    names: dict[int, str] = {}
    directors: dict[str, tuple[str, str]] = {}
    for staff_id, role, org_code, name, phone, active in export_queries.staff_in_area(
        session=session, area_prefix=area_prefix
    ):
        names[staff_id] = name or ""
        # The village's first active director is the one the ledger names.
        if role == "director" and active and org_code not in directors:
            directors[org_code] = (name or "", phone or "")
    return AreaFacts(units, names, directors)


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def year_span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def _quarters(
    session: Session, shown: Shown, child_ids: Sequence[int], year: int
) -> dict[int, dict[int, QuarterVisit]]:
    start, end = year_span(year)
    visits = export_queries.visits_of_children(
        session=session, child_ids=child_ids, start=start, end=end, kind="home_visit"
    )
    # Ordered by child and date: the last one of a quarter wins.
    last: dict[int, dict[int, tuple[int, date, str | None]]] = defaultdict(dict)
    for child_id, visit_id, visited_on, measures in visits:
        last[child_id][quarter_of(visited_on)] = (visit_id, visited_on, measures)
    wanted = [v[0] for quarters in last.values() for v in quarters.values()]
    problems: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for visit_id, category, note in export_queries.problems_of_visits(
        session=session, visit_ids=wanted
    ):
        problems[visit_id].append((category, note))
    return {
        child_id: {
            quarter: QuarterVisit(on, problems_text(shown, problems[visit_id]), measures or "")
            for quarter, (visit_id, on, measures) in quarters.items()
        }
        for child_id, quarters in last.items()
    }


def ledgers_of_chunk(
    *, session: Session, chunk: Sequence[Any], facts: AreaFacts, shown: Shown, year: int
) -> list[ChildLedger]:
    """Turn one chunk of child rows into ledger rows with everything that belongs to them."""
    ids = [row.id for row in chunk]
    parents: dict[tuple[int, str], Any] = {}
    for guardian in export_queries.guardians_of_children(session=session, child_ids=ids):
        parents[(guardian.child_id, guardian.relation)] = guardian
    caregivers = {
        row.child_id: row
        for row in export_queries.caregivers_of_children(session=session, child_ids=ids)
    }
    aid: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for child_id, scope, kind, yuan in export_queries.assistance_of_children(
        session=session, child_ids=ids
    ):
        aid[(child_id, scope)].append((kind, yuan))
    quarters = _quarters(session, shown, ids, year)
    ledgers = []
    for row in chunk:
        township, village = unit_names(facts.units, row.village_code)
        ledgers.append(
            ChildLedger(
                child=row,
                township=township,
                village=village,
                father=parents.get((row.id, "father")),
                mother=parents.get((row.id, "mother")),
                caregiver=caregivers.get(row.id),
                aid=aid.get((row.id, "child"), []),
                family_aid=aid.get((row.id, "family"), []),
                quarters=quarters.get(row.id, {}),
                director=facts.directors.get(row.village_code, ("", "")),
                filed_by=facts.staff_names.get(row.filed_by, ""),
            )
        )
    return ledgers


def area_ledgers(
    *,
    session: Session,
    area_prefix: str,
    facts: AreaFacts,
    shown: Shown,
    year: int,
    child_id: int | None = None,
) -> Iterator[list[ChildLedger]]:
    """The area's ledger rows (or one child's), a chunk at a time."""
    for chunk in export_queries.children_chunks(
        session=session, area_prefix=area_prefix, child_id=child_id
    ):
        yield ledgers_of_chunk(session=session, chunk=chunk, facts=facts, shown=shown, year=year)
