"""Children on file in bulk, written straight to the table, for spot-check and report tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from storage.child_models import Child
from storage.db import Database

FILED_AT = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def add_children(
    db: Database, village: str, count: int, *, filed_by: int, tier: str = "low", start: int = 0
) -> list[int]:
    """`count` open files in a village (made-up names and numbers), their ids in order."""

    def work(session: Session) -> list[int]:
        rows = [
            Child(
                name=f"儿童{village[-3:]}{start + n:03d}",
                id_number=f"{village[-9:]}{start + n:09d}",
                sex="female",
                birth_date=date(2015, 1, 1),
                ethnicity="汉族",
                home_address="某路1号",
                hukou="rural",
                category="left_behind",
                single_parent="no",
                schooling="primary",
                guardianship="parent",
                health="good",
                risk_tier=tier,
                village_code=village,
                filed_by=filed_by,
                filed_at=FILED_AT,
                updated_at=FILED_AT,
            )
            for n in range(count)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id or 0 for row in rows]

    return db.call(work)
