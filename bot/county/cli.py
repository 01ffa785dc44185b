"""The county's commands: `staff training|coverage|ledger`, `spot-check ...`, `report progress`.

`bot/cli.py` adds these parsers and hands the parsed arguments here.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlmodel import Session

from bot.audit import Actor, record_audit
from bot.clock import system_clock
from bot.county import coverage, progress, spotcheck, training, workbooks
from bot.county.tables import Row, read_table
from bot.errors import UserError
from bot.i18n import N_, Translator
from bot.settings import Settings
from storage.db import Database
from storage.spotcheck_queries import SampledFile

Handler = Callable[[], None]


def add_staff_commands(staff: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`staff training add|import|list`, `staff coverage`, `staff ledger`."""
    events = staff.add_parser("training", help="the training archive").add_subparsers(
        dest="training_command", required=True
    )
    add = events.add_parser("add", help="record a training held by a province, city or county")
    add.add_argument("--org", required=True, help="the unit that held it")
    add.add_argument("--date", required=True, help="YYYY-MM-DD")
    add.add_argument("--hours", required=True)
    add.add_argument("--organiser", required=True)
    add.add_argument("--topic", required=True)
    add.add_argument("--staff", type=int, nargs="*", default=[], help="ids of staff who attended")
    imported = events.add_parser("import", help="record attendees from a CSV or .xlsx")
    imported.add_argument("--event", type=int, required=True)
    imported.add_argument("file", type=Path, help="columns staff_id (编号), or 姓名 and 单位代码")
    listed = events.add_parser("list", help="trainings an area's staff could attend")
    listed.add_argument("--org", required=True)
    listed.add_argument("--year", type=int)
    cover = staff.add_parser("coverage", help="training coverage and directors per village")
    cover.add_argument(
        "--county", required=True, help="a county (or a city, province: each county)"
    )
    cover.add_argument("--year", type=int, required=True)
    ledger = staff.add_parser("ledger", help="set appointment date, gender, education")
    ledger.add_argument("id", type=int)
    ledger.add_argument("--appointed-on")
    ledger.add_argument("--gender", help="男|女")
    ledger.add_argument("--education")


def staff_handlers(args: argparse.Namespace, db: Database, t: Translator) -> dict[str, Handler]:
    return {
        "training": lambda: _training(args, db, t),
        "coverage": lambda: _coverage(args, db, t),
        "ledger": lambda: _ledger(args, db, t),
    }


def _training(args: argparse.Namespace, db: Database, t: Translator) -> None:
    now = system_clock()
    if args.training_command == "add":
        data = training.EventInput(args.org, args.date, args.hours, args.organiser, args.topic)

        def add(session: Session) -> tuple[int, int]:
            event = training.add_event(session=session, data=data, actor=Actor.cli(), now=now)
            assert event.id is not None
            rows = [Row(0, {"staff_id": str(i)}) for i in args.staff]
            added = 0
            if rows:
                added, _ = training.import_attendance(
                    session=session,
                    event_id=event.id,
                    rows=rows,
                    actor=Actor.cli(),
                    now=now,
                    source="cli",
                )
            return event.id, added

        event_id, added = db.call(add)
        print(t.plain("cli.training.added", id=event_id, count=added))
    elif args.training_command == "import":
        rows = read_table(args.file)
        added, already = db.call(
            lambda s: training.import_attendance(
                session=s,
                event_id=args.event,
                rows=rows,
                actor=Actor.cli(),
                now=now,
                source="import",
            )
        )
        print(t.plain("cli.training.imported", added=added, already=already, id=args.event))
    else:
        lines = db.call(
            lambda s: training.list_events(session=s, org_code=args.org, year=args.year)
        )
        if not lines:
            print(t.plain("cli.training.none"))
        for line in lines:
            e = line.event
            print(
                f"{e.id}\t{e.held_on}\t{e.level}\t{e.org_code}\t{e.hours}h\t"
                f"{e.organiser}\t{e.topic}\t{line.attendees}"
            )


def _coverage(args: argparse.Namespace, db: Database, t: Translator) -> None:
    counties = db.call(
        lambda s: coverage.coverage_in_area(session=s, org_code=args.county, year=args.year)
    )
    for county in counties:
        print(
            t.plain(
                "cli.coverage.county",
                code=county.code,
                name=county.name,
                year=county.year,
                trained=county.trained,
                staff=county.staff,
                percent=f"{county.percent:.0f}",
            )
        )
        untrained = t.plain("cli.coverage.untrained")
        for person in county.untrained:
            print(
                f"  {untrained}\t{person.staff_id}\t{person.role}\t{person.org_code}\t"
                f"{person.name or '-'}"
            )
        print(
            t.plain(
                "cli.coverage.without_director",
                count=len(county.without_director),
                villages=county.villages,
            )
        )
        for village in county.without_director:
            print(f"  {village.code}\t{village.name}\t{village.children}")
        print(t.plain("cli.coverage.overloaded", count=len(county.overloaded)))
        for village in county.overloaded:
            print(f"  {village.code}\t{village.name}\t{village.children}\t{village.directors}")


def _ledger(args: argparse.Namespace, db: Database, t: Translator) -> None:
    data = training.LedgerInput(args.id, args.appointed_on, args.gender, args.education)
    db.call(
        lambda s: training.update_ledger(
            session=s, data=data, actor=Actor.cli(), now=system_clock()
        )
    )
    print(t.plain("cli.staff.ledger", id=args.id))


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`spot-check draw|assign|list|report` and `report progress`."""
    spot = commands.add_parser("spot-check", help="the yearly spot check of files (抽查)")
    spot_commands = spot.add_subparsers(dest="spot_check_command", required=True)
    draw = spot_commands.add_parser("draw", help="draw a county's sample, spread over townships")
    draw.add_argument("--county", required=True)
    draw.add_argument("--year", type=int, required=True)
    draw.add_argument("--size", type=int, required=True)
    draw.add_argument("--seed", type=int, required=True)
    assign = spot_commands.add_parser("assign", help="let a supervisor or admin check the sample")
    assign.add_argument("--county", required=True)
    assign.add_argument("--year", type=int, required=True)
    assign.add_argument("--staff", type=int, required=True)
    listed = spot_commands.add_parser("list", help="the sample and how far checking got")
    listed.add_argument("--county", required=True)
    listed.add_argument("--year", type=int, required=True)
    report = spot_commands.add_parser("report", help="the county or city summary workbook")
    whose = report.add_mutually_exclusive_group(required=True)
    whose.add_argument("--county")
    whose.add_argument("--city")
    report.add_argument("--year", type=int, required=True)
    report.add_argument("--out", type=Path, required=True)
    reports = commands.add_parser("report", help="reports sent up").add_subparsers(
        dest="report_command", required=True
    )
    progress_report = reports.add_parser("progress", help="the year's progress workbook")
    progress_report.add_argument("--org", required=True, help="a county, city or province")
    progress_report.add_argument("--year", type=int, required=True)
    progress_report.add_argument(
        "--as-of", type=date.fromisoformat, help="count up to this day (default today)"
    )
    progress_report.add_argument("--out", type=Path, required=True)


def handlers(
    args: argparse.Namespace, db: Database, t: Translator, settings: Settings
) -> dict[tuple[str, str], Handler]:
    return {
        ("spot-check", "draw"): lambda: _draw(args, db, t),
        ("spot-check", "assign"): lambda: _assign(args, db, t),
        ("spot-check", "list"): lambda: _list_sample(args, db, t),
        ("spot-check", "report"): lambda: _spot_report(args, db, t),
        ("report", "progress"): lambda: _progress(args, db, t, settings),
    }


def _draw(args: argparse.Namespace, db: Database, t: Translator) -> None:
    drawn = db.call(
        lambda s: spotcheck.draw_sample(
            session=s,
            county_code=args.county,
            year=args.year,
            size=args.size,
            seed=args.seed,
            actor=Actor.cli(),
            now=system_clock(),
        )
    )
    print(
        t.plain(
            "cli.spotcheck.drawn",
            size=len(drawn.files),
            count=drawn.open_files,
            townships=len(drawn.per_township),
            id=drawn.spot_check.id,
        )
    )
    for township, count in sorted(drawn.per_township.items()):
        print(f"  {township}\t{count}")
    for file in drawn.files:
        print(f"{file.file_id}\t{file.township_code}\t{file.village_code}\t{file.child_id}")


def _assign(args: argparse.Namespace, db: Database, t: Translator) -> None:
    added = db.call(
        lambda s: spotcheck.assign_checker(
            session=s,
            county_code=args.county,
            year=args.year,
            staff_id=args.staff,
            actor=Actor.cli(),
            now=system_clock(),
        )
    )
    key = N_("cli.spotcheck.assigned") if added else N_("cli.spotcheck.already_assigned")
    print(t.plain(key, id=args.staff, code=args.county, year=args.year))


def _list_sample(args: argparse.Namespace, db: Database, t: Translator) -> None:
    def work(session: Session) -> list[SampledFile]:
        found = spotcheck.spot_check_for(session=session, county_code=args.county, year=args.year)
        return spotcheck.sample_of(session=session, spot_check=found)

    for file in db.call(work):
        state = t.plain("cli.spotcheck.checked", problems=file.problems) if file.checked else "-"
        print(
            f"{file.file_id}\t{file.township_code}\t{file.village_code}\t{file.child_id}\t{state}"
        )


def _spot_report(args: argparse.Namespace, db: Database, t: Translator) -> None:
    code = args.county or args.city
    _refuse_existing(args.out)

    def work(session: Session) -> bytes:
        results = workbooks.county_results(session=session, org_code=code, year=args.year)
        if not any(r.drawn for r in results):
            raise UserError(N_("spotcheck.error.not_drawn"), code=code, year=args.year)
        record_audit(
            session=session,
            actor=Actor.cli(),
            action="spotcheck.report",
            table="spot_check",
            record_id=f"{code}:{args.year}",
            at=system_clock(),
        )
        return workbooks.spot_check_workbook(results, t, detail=bool(args.county))

    _write(args.out, db.call(work), t)


def _progress(args: argparse.Namespace, db: Database, t: Translator, settings: Settings) -> None:
    _refuse_existing(args.out)
    now = system_clock()
    today = args.as_of or now.astimezone(settings.timezone).date()

    def work(session: Session) -> bytes:
        report = progress.progress(
            session=session, org_code=args.org, year=args.year, as_of=today, tz=settings.timezone
        )
        record_audit(
            session=session,
            actor=Actor.cli(),
            action="report.progress",
            table="org_unit",
            record_id=report.org.code,
            new={"year": args.year},
            at=now,
        )
        return workbooks.progress_workbook(report, t)

    _write(args.out, db.call(work), t)


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise UserError(N_("report.error.exists"), path=str(path))


def _write(path: Path, data: bytes, t: Translator) -> None:
    try:
        with path.open("xb") as handle:  # never over a file that appeared meanwhile
            handle.write(data)
    except FileExistsError:
        raise UserError(N_("report.error.exists"), path=str(path)) from None
    except OSError as exc:
        raise UserError(N_("report.error.write"), path=str(path), reason=exc.strerror) from None
    print(t.plain("cli.report.written", path=str(path)))
