"""Workbooks asked for in chat: the progress report an admin's deadline reminder offers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.county import progress, workbooks
from bot.errors import AccessDenied
from bot.i18n import N_, Translator
from bot.people.access import Caller
from bot.people.roles import Role


@dataclass(frozen=True)
class Made:
    data: bytes
    filename: str
    caption: str


def progress_for_caller(
    *,
    session: Session,
    caller: Caller,
    org_code: str,
    year: int,
    now: datetime,
    tz: ZoneInfo,
    t: Translator,
) -> Made:
    """The progress workbook of an area inside an admin's own; refused to anyone else."""
    if caller.role != Role.ADMIN or not caller.sees(org_code):
        raise AccessDenied(N_("report.error.not_allowed"), table="org_unit", record_id=org_code)
    report = progress.progress(
        session=session, org_code=org_code, year=year, as_of=now.astimezone(tz).date(), tz=tz
    )
    record_audit(
        session=session,
        actor=Actor.staff(caller.staff_id),
        action="report.progress",
        table="org_unit",
        record_id=org_code,
        new={"year": year},
        at=now,
    )
    return Made(
        workbooks.progress_workbook(report, t),
        f"progress-{org_code}-{year}.xlsx",
        t.plain("report.caption", org=report.org.name, year=year),
    )
