"""Organisation units: code shapes, the level ladder, CSV import, area listing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bot.audit import Actor
from bot.errors import UserError
from bot.people.orgs import (
    OrgInput,
    add_org,
    area_prefix,
    canonical_code,
    import_orgs,
    read_org_csv,
)
from storage import queries
from storage.db import Database
from storage.models import AuditEntry, OrgLevel
from tests.support.seed import COUNTY, TOWNSHIP, VILLAGE, seed_region


def _add(db: Database, *row: str | None) -> None:
    data = OrgInput(*row)  # type: ignore[arg-type]
    db.call(lambda s: add_org(session=s, data=data, actor=Actor.cli()))


def test_canonical_code__padded_twelve_digit_forms__shortened() -> None:
    assert canonical_code("350121000000", OrgLevel.COUNTY) == "350121"
    assert canonical_code("350121100000", OrgLevel.TOWNSHIP) == "350121100"
    assert canonical_code("350121100201", OrgLevel.VILLAGE) == "350121100201"


@pytest.mark.parametrize(
    ("code", "level", "key"),
    [
        ("35012A", OrgLevel.COUNTY, "org.error.code_digits"),
        ("3501211", OrgLevel.COUNTY, "org.error.code_length"),
        ("350100", OrgLevel.COUNTY, "org.error.code_shape"),
        ("350121", OrgLevel.CITY, "org.error.code_shape"),
        ("350121000", OrgLevel.TOWNSHIP, "org.error.code_shape"),
        ("350121100000", OrgLevel.VILLAGE, "org.error.code_shape"),
    ],
)
def test_canonical_code__malformed__refused(code: str, level: OrgLevel, key: str) -> None:
    with pytest.raises(UserError) as caught:
        canonical_code(code, level)
    assert caught.value.key == key


def test_add_org__region_tree__stored_with_audit_rows(db: Database) -> None:
    seed_region(db)
    village = db.call(lambda s: queries.get_org(session=s, code=VILLAGE))
    assert village is not None and village.parent_code == TOWNSHIP
    audits = db.call(
        lambda s: len(s.exec(select(AuditEntry).where(AuditEntry.action == "org.add")).all())
    )
    assert audits == 8


@pytest.mark.parametrize(
    ("row", "key"),
    [
        (("350121100203", "新村", "village", None), "org.error.parent_required"),
        (("350121100203", "新村", "village", COUNTY), "org.error.parent_level"),
        (("350121102203", "新村", "village", TOWNSHIP), "org.error.parent_prefix"),
        (("350121100203", "新村", "village", "350121999"), "org.error.unknown"),
        ((VILLAGE, "重复村", "village", TOWNSHIP), "org.error.exists"),
        (("350121100203", "  ", "village", TOWNSHIP), "org.error.name"),
        (("350121100203", "新村", "hamlet", TOWNSHIP), "org.error.level"),
    ],
)
def test_add_org__bad_input__refused_and_nothing_written(
    db: Database, row: tuple[str, str, str, str | None], key: str
) -> None:
    seed_region(db)
    before = db.call(lambda s: len(queries.list_orgs(session=s)))
    with pytest.raises(UserError) as caught:
        _add(db, *row)
    assert caught.value.key == key
    assert db.call(lambda s: len(queries.list_orgs(session=s))) == before


def test_import_orgs__csv__all_rows_added(db: Database, tmp_path: Path) -> None:
    csv_file = tmp_path / "orgs.csv"
    csv_file.write_text(
        "code,name,level,parent\n350000,福建省,province,\n350100,福州市,city,350000\n"
        "350121,闽侯县,county,350100\n",
        encoding="utf-8",
    )
    count = db.call(
        lambda s: import_orgs(session=s, rows=read_org_csv(csv_file), actor=Actor.cli())
    )
    assert count == 3


def test_import_orgs__bad_line__names_line_and_imports_nothing(
    db: Database, tmp_path: Path
) -> None:
    csv_file = tmp_path / "orgs.csv"
    csv_file.write_text(
        "code,name,level,parent\n350000,福建省,province,\n350199,错市,city,360000\n",
        encoding="utf-8",
    )
    rows = read_org_csv(csv_file)
    with pytest.raises(UserError) as caught:
        db.call(lambda s: import_orgs(session=s, rows=rows, actor=Actor.cli()))
    assert caught.value.key == "org.error.csv_line"
    assert caught.value.values["line"] == 3
    assert db.call(lambda s: len(queries.list_orgs(session=s))) == 0


def test_read_org_csv__missing_columns__refused(tmp_path: Path) -> None:
    csv_file = tmp_path / "orgs.csv"
    csv_file.write_text("code,title\n350000,福建省\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        read_org_csv(csv_file)
    assert caught.value.key == "org.error.csv_columns"


def test_area_prefix__each_level__covers_its_descendants(db: Database) -> None:
    seed_region(db)
    county = db.call(lambda s: queries.get_org(session=s, code=COUNTY))
    assert county is not None
    under = db.call(lambda s: queries.list_orgs(session=s, prefix=area_prefix(county)))
    assert {org.code for org in under} >= {COUNTY, TOWNSHIP, VILLAGE}
    assert all(org.code.startswith("350121") for org in under)
