"""Spot-check and progress workbooks at the command line, and the draw's messages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from bot.cli import main
from storage.county_models import SpotCheck, SpotCheckFile
from storage.db import Database
from storage.models import AuditEntry
from storage.visit_models import Visit
from tests.conftest import TEST_DATA_KEY
from tests.support.county import add_children
from tests.support.seed import (
    CITY,
    COUNTY,
    OTHER_TOWNSHIP,
    OTHER_VILLAGE,
    TOWNSHIP,
    VILLAGE,
    invite,
    seed_region,
)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("BOT_LOCALE", "zh_Hans")
    monkeypatch.setenv("DATA_KEY", TEST_DATA_KEY)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


@pytest.fixture
def county(db: Database) -> dict[str, list[int]]:
    seed_region(db)
    director = invite(db, "director", VILLAGE).staff.id or 0
    return {
        VILLAGE: add_children(db, VILLAGE, 6, filed_by=director),
        OTHER_VILLAGE: add_children(db, OTHER_VILLAGE, 2, filed_by=director, tier="high"),
    }


def _rows(path: Path, sheet: int = 0) -> list[tuple[object, ...]]:
    book = load_workbook(path, read_only=True)
    try:
        return list(book.worksheets[sheet].iter_rows(values_only=True))
    finally:
        book.close()


def test_spot_check_cli__draw_too_large__message_and_nothing_written(
    county: dict[str, list[int]], db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["spot-check", "draw", "--county", COUNTY, "--year", "2026", "--seed", "1"]
    assert main([*args, "--size", "9"]) == 2
    assert capsys.readouterr().err.strip() == f"{COUNTY} 只有 8 份在册档案，无法抽取 9 份。"
    assert (
        main(
            [
                "spot-check",
                "draw",
                "--county",
                "359999",
                "--year",
                "2026",
                "--size",
                "1",
                "--seed",
                "1",
            ]
        )
        == 2
    )
    assert db.call(lambda s: s.exec(select(SpotCheck)).all()) == []


def test_spot_check_cli__draw_then_reports__county_detail_and_city_summary(
    county: dict[str, list[int]], db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ["spot-check", "draw", "--county", COUNTY, "--year", "2026", "--seed", "5"]
    assert main([*args, "--size", "4"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("已抽取 4 份档案（共 8 份在册档案，覆盖 2 个乡镇）")
    assert out[1:3] == [f"  {TOWNSHIP}\t3", f"  {OTHER_TOWNSHIP}\t1"]
    assert main([*args, "--size", "4"]) == 0
    assert capsys.readouterr().out.splitlines()[3:] == out[3:]  # the same seed, the same files

    def check_one(session: Session) -> None:
        row = session.exec(select(SpotCheckFile).order_by(SpotCheckFile.id)).first()
        assert row is not None
        results = {item: {"ok": True, "note": ""} for item in ("basic_info", "visits", "records")}
        results |= {
            "follow_up": {"ok": False, "note": "未跟进"},
            "privacy": {"ok": True, "note": ""},
        }
        row.results, row.problems = json.dumps(results), 1
        row.checked_at = datetime(2026, 10, 1, tzinfo=UTC)
        session.add(row)

    db.call(check_one)
    assert (
        main(
            [
                "spot-check",
                "report",
                "--county",
                COUNTY,
                "--year",
                "2026",
                "--out",
                str(tmp_path / "county.xlsx"),
            ]
        )
        == 0
    )
    summary = _rows(tmp_path / "county.xlsx")
    assert summary[0][:4] == ("县（市、区）", "抽查档案数", "已抽查", "发现问题的档案")
    assert summary[1] == (f"{COUNTY} 闽侯县", 4, 1, 1, 0, 0, 0, 1, 0)
    files = _rows(tmp_path / "county.xlsx", 1)
    assert len(files) == 5 and files[1][3] == "是" and files[1][7] == "有问题: 未跟进"
    assert (
        main(
            [
                "spot-check",
                "report",
                "--city",
                CITY,
                "--year",
                "2026",
                "--out",
                str(tmp_path / "city.xlsx"),
            ]
        )
        == 0
    )
    assert _rows(tmp_path / "city.xlsx")[1] == (f"{COUNTY} 闽侯县", 4, 1, 1, 0, 0, 0, 1, 0)
    assert (
        main(
            [
                "spot-check",
                "report",
                "--city",
                CITY,
                "--year",
                "2026",
                "--out",
                str(tmp_path / "city.xlsx"),
            ]
        )
        == 2
    )  # never overwrites
    audited = db.call(
        lambda s: s.exec(select(AuditEntry).where(AuditEntry.action == "spotcheck.report")).all()
    )
    assert len(audited) == 2


def test_progress_report__visits_against_the_cadence_per_township(
    county: dict[str, list[int]], db: Database, tmp_path: Path
) -> None:
    visited = county[VILLAGE][0]

    def visit(session: Session) -> None:
        for day in (date(2026, 1, 20), date(2026, 2, 3), date(2026, 2, 25)):
            session.add(
                Visit(
                    child_id=visited,
                    author_id=1,
                    kind="home_visit",
                    visited_on=day,
                    seen_in_person=True,
                    tier_before="low",
                    tier_after="low",
                    created_at=datetime(2026, 3, 1, tzinfo=UTC),
                    updated_at=datetime(2026, 3, 1, tzinfo=UTC),
                )
            )

    db.call(visit)
    out = tmp_path / "progress.xlsx"
    args = ["report", "progress", "--org", COUNTY, "--year", "2026", "--as-of", "2026-03-31"]
    assert main([*args, "--out", str(out)]) == 0
    rows = _rows(out)
    assert rows[1][:4] == ("单位", "在册档案", "已完成走访", "应完成走访")
    # Low tier: a contact or visit each month and a home visit each quarter (4 by 31 March);
    # one child had January and February and the quarter. High tier: a home visit a month.
    assert rows[2][:4] == (f"{TOWNSHIP} 白沙镇", 6, 3, 24)
    assert rows[3][:4] == (f"{OTHER_TOWNSHIP} 南屿镇", 2, 0, 6)
    assert rows[-1][:8] == ("合计", 8, 3, 30, 0, 0, 1, 3)


def test_spot_check_cli__assign_a_supervisor_once__a_director_refused(
    county: dict[str, list[int]], db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    supervisor = invite(db, "supervisor", TOWNSHIP, name="陈静").staff.id
    director = invite(db, "director", OTHER_VILLAGE, name="林芳").staff.id
    where = ["--county", COUNTY, "--year", "2026"]
    assert main(["spot-check", "assign", *where, "--staff", str(supervisor)]) == 2
    assert f"{COUNTY} 2026年尚未抽取抽查样本" in capsys.readouterr().err
    assert main(["spot-check", "draw", *where, "--size", "2", "--seed", "3"]) == 0
    assert main(["spot-check", "assign", *where, "--staff", str(director)]) == 2
    assert f"工作人员 {director} 不是 {COUNTY} 的督导员或管理员" in capsys.readouterr().err
    assert main(["spot-check", "assign", *where, "--staff", str(supervisor)]) == 0
    assert main(["spot-check", "assign", *where, "--staff", str(supervisor)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == [
        f"工作人员 {supervisor} 已指派为 {COUNTY} 2026年抽查的抽查人。",
        f"工作人员 {supervisor} 已是 {COUNTY} 2026年抽查的抽查人，未作更改。",
    ]
    assert main(["spot-check", "list", *where]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and all(line.endswith("\t-") for line in listed)
