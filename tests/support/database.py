"""Test databases: a migrated SQLite file per test, or a wiped PostgreSQL database from CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import text

from storage import migrate
from storage.db import make_engine

POSTGRES_URL = os.environ.get("GUANAI_TEST_DATABASE_URL", "")


def using_postgres() -> bool:
    return POSTGRES_URL.startswith(("postgres://", "postgresql"))


def prepare_template(folder: Path) -> str:
    """Migrate a fresh database once per run; return its URL (a file to copy, for SQLite)."""
    if using_postgres():
        engine = make_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        migrate.upgrade(POSTGRES_URL)
        return POSTGRES_URL
    url = f"sqlite:///{folder / 'template.db'}"
    migrate.upgrade(url)
    return url


def fresh_database(template_url: str, folder: Path) -> str:
    """Return the URL of an empty, migrated database for one test."""
    if using_postgres():
        engine = make_engine(template_url)
        with engine.begin() as connection:
            tables = connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            ).scalars()
            names = ", ".join(f'"{name}"' for name in tables)
            if names:
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return template_url
    source = Path(template_url.removeprefix("sqlite:///"))
    target = folder / "guanai.db"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"
