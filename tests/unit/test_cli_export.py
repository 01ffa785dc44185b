"""`python -m bot export child|ledger`: full numbers encrypted with a given or printed password,
`--masked` unencrypted, bad input refused in one line with nothing written."""

from __future__ import annotations

import io
import re
from pathlib import Path

import msoffcrypto
import openpyxl
import pytest

from bot.cli import main
from bot.personal import mask_id_number
from storage.db import Database
from tests.conftest import TEST_DATA_KEY
from tests.support.ledger import Filed, file_township
from tests.support.seed import COUNTY, TOWNSHIP, seed_region


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("BOT_LOCALE", "en")
    monkeypatch.setenv("DATA_KEY", TEST_DATA_KEY)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


@pytest.fixture
def filed(db: Database) -> Filed:
    seed_region(db)
    return file_township(db)


def _decrypted(path: Path, password: str) -> openpyxl.Workbook:
    clear = io.BytesIO()
    with path.open("rb") as handle:
        office = msoffcrypto.OfficeFile(handle)
        office.load_key(password=password)
        office.decrypt(clear)
    return openpyxl.load_workbook(clear, read_only=True)


def test_cli_export_ledger__no_password_given__prints_a_generated_one(
    filed: Filed, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "county.xlsx"
    assert main(["export", "ledger", "--org", COUNTY, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"Written {out} (4 rows)." in printed
    match = re.search(r"password: (\S+)", printed)
    assert match is not None
    rows = list(_decrypted(out, match.group(1))["台账"].iter_rows(values_only=True))
    ids = [row[rows[0].index("身份证号码")] for row in rows[1:]]
    assert sorted(ids) == sorted(filed.id_numbers.values())  # in full


def test_cli_export_ledger__given_password_and_year(filed: Filed, tmp_path: Path) -> None:
    out = tmp_path / "township.xlsx"
    args = ["export", "ledger", "--org", TOWNSHIP, "--year", "2025", "--out", str(out)]
    assert main([*args, "--password", "s3cret-Pass"]) == 0
    book = _decrypted(out, "s3cret-Pass")
    rows = list(book["台账"].iter_rows(values_only=True))
    assert len(rows) == 4  # header and three children
    assert rows[1][rows[0].index("四季度解决措施")] == "上一年"  # 2025's visit


def test_cli_export_child__masked__unencrypted_file(
    filed: Filed, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "child.xlsx"
    child = filed.village[0]
    assert main(["export", "child", str(child), "--masked", "--out", str(out)]) == 0
    assert "masked" in capsys.readouterr().out
    sheet = openpyxl.load_workbook(out, read_only=True).active
    cells = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert mask_id_number(filed.id_numbers[child]) in cells
    assert filed.id_numbers[child] not in cells


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ledger", "--org", "359999"], "There is no unit with the code 359999."),
        (["ledger", "--org", COUNTY, "--year", "2031"], "The year 2031 has not come yet"),
        (["child", "999999"], "File 999999 was not found"),
    ],
)
def test_cli_export__bad_input__one_line_and_no_file(
    filed: Filed, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = tmp_path / "nothing.xlsx"
    assert main(["export", *args, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()
