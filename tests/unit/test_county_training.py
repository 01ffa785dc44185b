"""The director ledger at the command line: trainings, attendance imports, yearly coverage."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main
from storage.county_models import TrainingAttendance, TrainingEvent
from storage.db import Database
from storage.models import AuditEntry, Staff
from tests.conftest import TEST_DATA_KEY
from tests.support.county import add_children
from tests.support.seed import (
    CITY,
    COUNTY,
    NEIGHBOUR_VILLAGE,
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
    monkeypatch.setenv("BOT_LOCALE", "en")
    monkeypatch.setenv("DATA_KEY", TEST_DATA_KEY)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


@pytest.fixture
def staff(db: Database) -> dict[str, int]:
    """A director in two of the three villages, a supervisor in each township."""
    seed_region(db)
    people = {
        "director": invite(db, "director", VILLAGE, name="王芳"),
        "neighbour": invite(db, "director", NEIGHBOUR_VILLAGE, name="李明"),
        "supervisor": invite(db, "supervisor", TOWNSHIP, name="陈静"),
        "other_supervisor": invite(db, "supervisor", OTHER_TOWNSHIP, name="林峰"),
    }
    return {key: issued.staff.id or 0 for key, issued in people.items()}


def _add_training(capsys: pytest.CaptureFixture[str], *extra: str) -> int:
    args = ["staff", "training", "add", "--org", COUNTY, "--date", "2026-03-15", "--hours", "6"]
    args += ["--organiser", "闽侯县民政局", "--topic", "儿童主任业务培训", *extra]
    assert main(args) == 0
    out = capsys.readouterr().out
    return int(out.split("Recorded training ")[1].split(" ")[0])


def test_training_add__with_attendees__listed_with_its_count(
    staff: dict[str, int], db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    event_id = _add_training(capsys, "--staff", str(staff["director"]), str(staff["supervisor"]))
    assert main(["staff", "training", "list", "--org", VILLAGE]) == 0
    listed = capsys.readouterr().out.strip().split("\t")
    assert listed[0] == str(event_id) and listed[1] == "2026-03-15" and listed[2] == "county"
    assert listed[4:] == ["6.0h", "闽侯县民政局", "儿童主任业务培训", "2"]
    actions = db.call(lambda s: [a.action for a in s.exec(select(AuditEntry)).all()])
    assert actions.count("training.add") == 1 and actions.count("training.attended") == 2


def test_training_add__at_a_township__refused_nothing_written(
    staff: dict[str, int], db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["staff", "training", "add", "--org", TOWNSHIP, "--date", "2026-03-15"]
    args += ["--hours", "6", "--organiser", "镇政府", "--topic", "培训"]
    assert main(args) == 2
    assert "trainings are held by a province, city or county" in capsys.readouterr().err
    assert db.call(lambda s: s.exec(select(TrainingEvent)).all()) == []


def test_training_import__csv_by_id_or_name__idempotent(
    staff: dict[str, int], db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    event_id = _add_training(capsys)
    attendees = tmp_path / "attendees.csv"
    attendees.write_text(
        f"编号,姓名,单位代码\n{staff['director']},,\n,陈静,{TOWNSHIP}\n\n", encoding="gb18030"
    )
    assert main(["staff", "training", "import", "--event", str(event_id), str(attendees)]) == 0
    assert "2 attendees recorded, 0 already" in capsys.readouterr().out
    assert main(["staff", "training", "import", "--event", str(event_id), str(attendees)]) == 0
    assert "0 attendees recorded, 2 already" in capsys.readouterr().out
    recorded = db.call(lambda s: sorted(a.staff_id for a in s.exec(select(TrainingAttendance))))
    assert recorded == sorted([staff["director"], staff["supervisor"]])


def test_training_import__an_unknown_person__names_the_line_and_records_nobody(
    staff: dict[str, int], db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    event_id = _add_training(capsys)
    attendees = tmp_path / "attendees.csv"
    attendees.write_text(f"姓名,单位代码\n王芳,{VILLAGE}\n赵无名,{VILLAGE}\n", encoding="utf-8")
    assert main(["staff", "training", "import", "--event", str(event_id), str(attendees)]) == 2
    assert "Line 3: No such staff member" in capsys.readouterr().err
    assert db.call(lambda s: s.exec(select(TrainingAttendance)).all()) == []


def test_training_import__xlsx_of_attendees(
    staff: dict[str, int], db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from openpyxl import Workbook

    event_id = _add_training(capsys)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["编号"])
    sheet.append([staff["neighbour"]])
    book.save(tmp_path / "attendees.xlsx")
    args = ["staff", "training", "import", "--event", str(event_id)]
    assert main([*args, str(tmp_path / "attendees.xlsx")]) == 0
    assert db.call(lambda s: [a.staff_id for a in s.exec(select(TrainingAttendance))]) == [
        staff["neighbour"]
    ]


def test_coverage__trained_share_villages_without_director_and_over_30_per_director(
    staff: dict[str, int], db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _add_training(capsys, "--staff", str(staff["director"]), str(staff["supervisor"]))
    add_children(db, VILLAGE, 31, filed_by=staff["director"])
    add_children(db, NEIGHBOUR_VILLAGE, 30, filed_by=staff["neighbour"])
    add_children(db, OTHER_VILLAGE, 3, filed_by=staff["director"])
    assert main(["staff", "coverage", "--county", COUNTY, "--year", "2026"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{COUNTY} 闽侯县, 2026: 2 of 4 trained (50%)"
    untrained = sorted(line.split("\t")[1] for line in out if "not trained" in line)
    assert untrained == sorted([str(staff["neighbour"]), str(staff["other_supervisor"])])
    at = out.index("Villages without an active director: 1 (of 3)")
    assert out[at + 1] == f"  {OTHER_VILLAGE}\t南井村\t3"
    at = out.index("Villages with more than 30 children per director: 1")
    assert out[at + 1 :] == [f"  {VILLAGE}\t溪头村\t31\t1"]


def test_coverage__last_year_training_does_not_count_and_a_city_lists_its_counties(
    staff: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    _add_training(capsys, "--staff", str(staff["director"]))
    assert main(["staff", "coverage", "--county", CITY, "--year", "2027"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"{COUNTY} 闽侯县, 2027: 0 of 4 trained (0%)"


def test_coverage__unknown_code__clear_message(staff: dict[str, int], capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["staff", "coverage", "--county", "359999", "--year", "2026"]) == 2
    assert "359999" in capsys.readouterr().err


def test_staff_ledger__appointment_gender_education_set_and_audited(
    staff: dict[str, int], db: Database
) -> None:
    director = str(staff["director"])
    args = ["staff", "ledger", director, "--appointed-on", "2024-05-01", "--gender", "女"]
    assert main([*args, "--education", "大专"]) == 0
    person = db.call(lambda s: s.get(Staff, staff["director"]))
    assert (str(person.appointed_on), person.gender, person.education) == (
        "2024-05-01",
        "female",
        "大专",
    )
    assert main(["staff", "ledger", director, "--gender", "x"]) == 2
    assert db.call(lambda s: s.get(Staff, staff["director"]).gender) == "female"
