"""The yearly spot check (抽查): draw a sample, assign checkers, record each file's checklist.

Problems found go to the file's village director as tasks, with a message through the outbox.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.audit import Actor, record_audit, record_denied
from bot.county import sampling
from bot.errors import AccessDenied, UserError
from bot.i18n import N_
from bot.notify.notification import Notification
from bot.notify.outbox import Queued, enqueue_many
from bot.people.access import Caller
from bot.people.orgs import area_prefix, prefix_of
from bot.people.roles import Role
from storage import queries, recipient_queries, spotcheck_queries
from storage.child_models import Child
from storage.county_models import DirectorTask, SpotCheck, SpotCheckChecker, SpotCheckFile
from storage.models import OrgLevel
from storage.spotcheck_queries import SampledFile

# The checklist's items, in order (section 五(二) of the plan); each is ok or a problem.
ITEMS = ("basic_info", "visits", "records", "follow_up", "privacy")
TOWNSHIP_DIGITS = 9


@dataclass(frozen=True)
class Drawn:
    spot_check: SpotCheck
    files: list[SampledFile]
    per_township: dict[str, int]
    open_files: int


def _county(session: Session, code: str) -> Any:
    county = queries.get_org(session=session, code=code.strip())
    if county is None:
        raise UserError(N_("org.error.unknown"), code=code)
    if county.level != OrgLevel.COUNTY:
        raise UserError(N_("spotcheck.error.not_county"), code=county.code)
    return county


def draw_sample(
    *,
    session: Session,
    county_code: str,
    year: int,
    size: int,
    seed: int,
    actor: Actor,
    now: datetime,
) -> Drawn:
    """Draw (or redraw, while nothing is checked) a county's sample for the year."""
    county = _county(session, county_code)
    if size < 1:
        raise UserError(N_("spotcheck.error.size"), size=size)
    files = spotcheck_queries.open_files(session=session, area_prefix=area_prefix(county))
    if size > len(files):
        raise UserError(
            N_("spotcheck.error.too_large"), size=size, count=len(files), code=county.code
        )
    strata: dict[str, list[int]] = defaultdict(list)
    for file in files:
        strata[file.village_code[:TOWNSHIP_DIGITS]].append(file.child_id)
    picked = sampling.draw(strata, size, f"{county.code}:{year}:{seed}")
    spot_check = spotcheck_queries.spot_check_of(
        session=session, county_code=county.code, year=year
    )
    if spot_check is not None:
        assert spot_check.id is not None
        if spotcheck_queries.checked_count(session=session, spot_check_id=spot_check.id):
            raise UserError(N_("spotcheck.error.already_checking"), code=county.code, year=year)
        spot_check.seed, spot_check.size, spot_check.drawn_at = seed, size, now
    else:
        spot_check = SpotCheck(
            county_code=county.code, year=year, seed=seed, size=size, drawn_at=now
        )
    spotcheck_queries.save_spot_check(session=session, spot_check=spot_check)
    assert spot_check.id is not None
    rows = [
        SpotCheckFile(spot_check_id=spot_check.id, child_id=child_id, township_code=township)
        for township, ids in picked.items()
        for child_id in ids
    ]
    current = spotcheck_queries.sampled_files(session=session, spot_check_id=spot_check.id)
    if {f.child_id for f in current} != {row.child_id for row in rows}:
        # Drawing again with the same seed finds the same files and keeps their rows.
        spotcheck_queries.replace_files(session=session, spot_check_id=spot_check.id, files=rows)
    record_audit(
        session=session,
        actor=actor,
        action="spotcheck.draw",
        table="spot_check",
        record_id=spot_check.id,
        new={"county": county.code, "year": year, "size": size, "seed": seed},
        at=now,
    )
    return Drawn(
        spot_check,
        spotcheck_queries.sampled_files(session=session, spot_check_id=spot_check.id),
        {code: len(ids) for code, ids in picked.items()},
        len(files),
    )


def spot_check_for(*, session: Session, county_code: str, year: int) -> SpotCheck:
    county = _county(session, county_code)
    found = spotcheck_queries.spot_check_of(session=session, county_code=county.code, year=year)
    if found is None:
        raise UserError(N_("spotcheck.error.not_drawn"), code=county.code, year=year)
    return found


def sample_of(*, session: Session, spot_check: SpotCheck) -> list[SampledFile]:
    assert spot_check.id is not None
    return spotcheck_queries.sampled_files(session=session, spot_check_id=spot_check.id)


def assign_checker(
    *, session: Session, county_code: str, year: int, staff_id: int, actor: Actor, now: datetime
) -> bool:
    """Let a supervisor or admin of the county (or above it) go through the sample."""
    spot_check = spot_check_for(session=session, county_code=county_code, year=year)
    staff = queries.get_staff(session=session, staff_id=staff_id)
    county_prefix = spot_check.county_code
    if staff is None or not staff.active:
        raise UserError(N_("staff.error.unknown"), id=staff_id)
    within = staff.org_code.startswith(county_prefix)
    above = staff.role == Role.ADMIN and county_prefix.startswith(
        prefix_of(staff.org_code, _level_of(session, staff.org_code))
    )
    if staff.role not in (Role.SUPERVISOR, Role.ADMIN) or not (within or above):
        raise UserError(N_("spotcheck.error.checker"), id=staff_id, code=county_prefix)
    assert spot_check.id is not None
    added = spotcheck_queries.add_checker(
        session=session,
        checker=SpotCheckChecker(spot_check_id=spot_check.id, staff_id=staff_id, assigned_at=now),
    )
    if added:
        record_audit(
            session=session,
            actor=actor,
            action="spotcheck.assign",
            table="spot_check",
            record_id=spot_check.id,
            new={"staff": staff_id},
            at=now,
        )
    return added


def _level_of(session: Session, code: str) -> str:
    org = queries.get_org(session=session, code=code)
    assert org is not None
    return org.level


def may_check(*, session: Session, caller: Caller, spot_check: SpotCheck) -> bool:
    """An admin whose area holds the county, or anyone assigned to this spot check."""
    assert spot_check.id is not None
    if caller.role == Role.ADMIN and caller.sees(spot_check.county_code):
        return True
    return spotcheck_queries.is_checker(
        session=session, spot_check_id=spot_check.id, staff_id=caller.staff_id
    )


def checkable(*, session: Session, caller: Caller, year: int) -> list[SampledFile]:
    """The sampled files the caller may check this year, unchecked first."""
    checks = {
        s.id: s
        for s in spotcheck_queries.spot_checks_assigned(
            session=session, staff_id=caller.staff_id, year=year
        )
    }
    if caller.role == Role.ADMIN:
        for found in spotcheck_queries.spot_checks_in_area(
            session=session, area_prefix=caller.area_prefix, year=year
        ):
            checks[found.id] = found
    files = [
        file
        for spot_check_id in sorted(i for i in checks if i is not None)
        for file in spotcheck_queries.sampled_files(session=session, spot_check_id=spot_check_id)
    ]
    return sorted(files, key=lambda f: (f.checked, f.township_code, f.child_id))


@dataclass(frozen=True)
class Checking:
    file: SpotCheckFile
    spot_check: SpotCheck
    child_name: str
    village_code: str


def file_to_check(*, session: Session, caller: Caller, file_id: int, now: datetime) -> Checking:
    """The sampled file, when the caller may check it; refused (the refusal is audited) if not."""
    file = spotcheck_queries.get_file(session=session, file_id=file_id)
    spot_check = (
        spotcheck_queries.get_spot_check(session=session, spot_check_id=file.spot_check_id)
        if file is not None
        else None
    )
    if (
        file is None
        or spot_check is None
        or not may_check(session=session, caller=caller, spot_check=spot_check)
    ):
        # Recorded here too: a refusal when the checklist is saved (an assignment withdrawn
        # meanwhile) does not roll back; a refused opening rolls this row back, and the
        # handler records that attempt once.
        record_denied(
            session=session,
            actor=Actor.staff(caller.staff_id),
            table="spot_check_file",
            record_id=file_id,
            at=now,
        )
        raise AccessDenied(
            N_("spotcheck.error.not_assigned"), table="spot_check_file", record_id=file_id
        )
    child = session.get(Child, file.child_id)
    assert child is not None
    return Checking(file, spot_check, child.name, child.village_code)


def record_checklist(
    *, session: Session, caller: Caller, file_id: int, answers: dict[str, Any], now: datetime
) -> Checking:
    """Store a file's checklist; each problem becomes a task for the village's directors."""
    checking = file_to_check(session=session, caller=caller, file_id=file_id, now=now)
    file = checking.file
    results = {
        item: {"ok": answers.get(item) == "ok", "note": answers.get(f"{item}_note") or ""}
        for item in ITEMS
    }
    problems = [item for item in ITEMS if not results[item]["ok"]]
    old = file.results
    file.results = json.dumps(results, ensure_ascii=False)
    file.problems = len(problems)
    file.checked_at = now
    file.checker_staff_id = caller.staff_id
    session.add(file)
    assert file.id is not None
    tasks = [
        DirectorTask(
            village_code=checking.village_code,
            child_id=file.child_id,
            source="spot_check",
            source_id=file.id,
            item=item,
            note=str(results[item]["note"]),
            created_at=now,
        )
        for item in problems
    ]
    spotcheck_queries.add_tasks(session=session, tasks=tasks)
    record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="spotcheck.checked",
        table="spot_check_file",
        record_id=file.id,
        old=json.loads(old) if old else None,
        new={"problems": problems},
        at=now,
    )
    if tasks:
        directors = recipient_queries.enrolled_staff_at(
            session=session, org_code=checking.village_code, role=Role.DIRECTOR
        )
        notice = Notification(
            "spotcheck.tasks",
            {
                "child": checking.child_name,
                "year": checking.spot_check.year,
                "tasks": [[t.item, t.note] for t in tasks],
            },
        )
        enqueue_many(
            session=session,
            messages=[
                Queued(f"spotcheck:{file.id}:{now.isoformat()}:{d.id}", d, notice)
                for d in directors
            ],
            now=now,
        )
    return checking


@dataclass(frozen=True)
class TaskLine:
    task_id: int
    child_name: str
    item: str
    note: str


def open_tasks(*, session: Session, caller: Caller) -> list[TaskLine]:
    """A director's village's open tasks (others have none)."""
    if caller.role != Role.DIRECTOR:
        return []
    return [
        TaskLine(task.id or 0, name, task.item, task.note)
        for task, name in spotcheck_queries.open_tasks(
            session=session, village_code=caller.org_code
        )
    ]


def finish_task(*, session: Session, caller: Caller, task_id: int, now: datetime) -> None:
    """Mark one of the village's tasks done."""
    task = spotcheck_queries.get_task(session=session, task_id=task_id)
    if task is None or caller.role != Role.DIRECTOR or task.village_code != caller.org_code:
        raise AccessDenied(N_("tasks.error.not_found"), table="director_task", record_id=task_id)
    if task.done_at is None:
        task.done_at = now
        session.add(task)
        record_audit(
            session=session,
            actor=Actor.staff(caller.staff_id),
            action="task.done",
            table="director_task",
            record_id=task_id,
            at=now,
        )
