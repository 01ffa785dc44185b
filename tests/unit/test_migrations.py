"""The Alembic migrations and the SQLModel tables describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import storage.schema  # noqa: F401
from storage import migrate
from storage.db import Database


def _differences(db: Database) -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def test_migrations__at_head__match_the_models(db: Database) -> None:
    assert _differences(db) == []
    assert migrate.is_current(db.url)


def test_migrations__down_to_base_and_up_again__match_the_models(db: Database) -> None:
    db.dispose()
    migrate.downgrade(db.url, "base")
    assert not migrate.is_current(db.url)
    migrate.upgrade(db.url)
    assert _differences(db) == []
