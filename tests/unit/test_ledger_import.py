"""Importing a county's ledger: every row checked as the chat intake checks it, a report with a
column per problem, nothing written unless all is well (or --partial), re-import a no-op."""

from __future__ import annotations

import io
from datetime import date, datetime, UTC

import pytest
from openpyxl import load_workbook
from sqlmodel import func, select

from bot.audit import Actor
from bot.errors import UserError
from bot.i18n import I18n
from bot.imports.ledger import ImportRequest, import_ledger
from bot.imports.report import write_report
from storage.child_models import Child, Guardian, Caregiver
from storage.db import Database
from storage.models import AuditEntry
from tests.support.ledger import left_behind_row, workbook
from tests.support.seed import COUNTY, VILLAGE, invite, seed_region

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 2)
I18N = I18n("zh_Hans")
T = I18N.translator("zh_Hans")


@pytest.fixture
def county(db: Database) -> Database:
    seed_region(db)
    invite(db, "admin", COUNTY, name="林主任")
    return db


def run(db: Database, data: bytes, **options: object):  # type: ignore[no-untyped-def]
    request = ImportRequest(
        data=data, file_name="台账.xlsx", org_code=COUNTY, actor=Actor.cli(), **options  # type: ignore[arg-type]
    )
    return db.call(
        lambda s: import_ledger(session=s, request=request, now=NOW, today=TODAY, t=T, i18n=I18N)
    )[0]


def count(db: Database, table: type) -> int:
    return db.call(lambda s: s.exec(select(func.count()).select_from(table)).one())


def test_ledger__good_rows__written_with_parents_and_caregiver(county: Database) -> None:
    checked = run(county, workbook([left_behind_row(1), left_behind_row(2)]))
    assert checked.notes == {}
    assert (checked.summary.rows, checked.summary.valid, checked.summary.written) == (2, 2, 2)
    assert count(county, Child) == 2 and count(county, Guardian) == 4
    assert count(county, Caregiver) == 2
