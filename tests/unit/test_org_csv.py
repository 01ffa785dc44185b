"""`org import` refuses what would store a wrong or invisible code or name, naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.audit import Actor
from bot.errors import UserError
from bot.i18n import I18n
from bot.people.orgs import import_orgs, read_org_csv
from storage import queries
from storage.db import Database

HEADER = "code,name,level,parent\n"


def write_csv(tmp_path: Path, body: str) -> Path:
    csv_file = tmp_path / "orgs.csv"
    csv_file.write_text(HEADER + body, encoding="utf-8")
    return csv_file


def import_file(db: Database, csv_file: Path) -> int:
    rows = read_org_csv(csv_file)
    return db.call(lambda s: import_orgs(session=s, rows=rows, actor=Actor.cli()))


def refusal(db: Database, csv_file: Path) -> UserError:
    with pytest.raises(UserError) as caught:
        import_file(db, csv_file)
    assert caught.value.key == "org.error.csv_line"
    return caught.value


def test_org_import__full_width_digits_in_a_code__refused_naming_the_line(
    db: Database, tmp_path: Path
) -> None:
    csv_file = write_csv(tmp_path, "350000,福建省,province,\n３５０１００,福州市,city,350000\n")
    error = refusal(db, csv_file)
    assert error.values["line"] == 3
    reason = error.values["reason"]
    assert isinstance(reason, UserError) and reason.key == "org.error.code_digits"
    text = error.render(I18n("en").translator("en").plain)
    assert text.startswith("Line 3: Division code “３５０１００” must contain the digits 0–9")
    assert db.call(lambda s: len(queries.list_orgs(session=s))) == 0


def test_org_import__quoted_name_with_a_line_break__later_lines_numbered_as_in_the_file(
    db: Database, tmp_path: Path
) -> None:
    csv_file = write_csv(
        tmp_path,
        '350000,"福建\n省",province,\n'  # lines 2 and 3
        "\n"  # line 4, blank
        "350199,错市,city,360000\n",  # line 5
    )
    assert [row.line for row in read_org_csv(csv_file)] == [2, 5]
    assert read_org_csv(csv_file)[0].name == "福建 省"
    assert refusal(db, csv_file).values["line"] == 5


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("350000,福建\x00省,province,", "name"),
        ("350000,\u202e省建福,province,", "name"),
        ("3500\x0700,福建省,province,", "code"),
        ("350000,福建省,prov\x1bince,", "level"),
    ],
)
def test_read_org_csv__control_or_bidi_character__refused_naming_line_and_column(
    tmp_path: Path, row: str, column: str
) -> None:
    csv_file = write_csv(tmp_path, f"350100,福州市,city,350000\n{row}\n")
    with pytest.raises(UserError) as caught:
        read_org_csv(csv_file)
    assert (caught.value.key, caught.value.values["line"]) == ("org.error.csv_line", 3)
    reason = caught.value.values["reason"]
    assert isinstance(reason, UserError)
    assert (reason.key, reason.values) == ("org.error.hidden", {"column": column})
    for locale in ("zh_Hans", "en"):
        text = caught.value.render(I18n(locale).translator(locale).plain)
        assert "org.error" not in text and column in text


def test_read_org_csv__zero_width_and_spaces_around_a_name__trimmed(
    tmp_path: Path,
) -> None:
    csv_file = write_csv(tmp_path, "350000,\u200b福建省 ,province,\n")
    assert read_org_csv(csv_file)[0].name == "福建省"
