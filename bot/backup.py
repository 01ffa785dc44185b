"""Backups: a consistent copy of the live database into one owner-only file, and its restore.

SQLite uses its online backup API (a snapshot taken under one read transaction, so writers go on
and the copy is consistent); PostgreSQL uses `pg_dump --format=custom` and `pg_restore`. A
restore only goes into an empty database, so it can never mix a backup with live data.
Both are written to the audit log with who ran them, on which machine, and which file.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import URL, inspect, make_url, text

from bot.audit import Actor, record_audit
from bot.errors import UserError
from bot.i18n import N_
from storage.db import Database, make_engine, sqlalchemy_url

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"  # the first bytes of every pg_dump custom-format archive
OWNER_ONLY = 0o600
SQLITE, POSTGRESQL = "SQLite", "PostgreSQL"


@dataclass(frozen=True)
class BackupResult:
    """What was written: the file, its size and the schema revision it holds."""

    path: Path
    size: int
    revision: str | None


@dataclass(frozen=True)
class RestoreResult:
    """What a restore left behind: the schema revision and how it compares to this code."""

    revision: str | None
    schema: str  # "current", "older" (run db upgrade) or "newer" (made by a newer version)


def _url(database_url: str) -> URL:
    return make_url(sqlalchemy_url(database_url))


def _kind(database_url: str) -> str:
    return SQLITE if _url(database_url).get_backend_name() == "sqlite" else POSTGRESQL


def shown_url(database_url: str) -> str:
    """The database URL as the user wrote it, its password hidden, for messages."""
    return make_url(database_url).render_as_string(hide_password=True)


def _sqlite_path(database_url: str) -> Path:
    return Path(_url(database_url).database or "").resolve()


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """Split a PostgreSQL URL into a password-free `--dbname` URL and the environment for it.

    The password travels in PGPASSWORD, never on the command line, where `ps` would show it.
    """
    url = _url(database_url)
    env = {**os.environ}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create(  # URL.set(password=None) would keep the password
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise UserError(N_("backup.error.no_tool"), tool=name)
    return found


def _run_tool(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        reason = lines[0] if lines else f"exit status {done.returncode}"
        raise UserError(N_("backup.error.tool_failed"), tool=Path(command[0]).name, reason=reason)


@contextmanager
def _owner_only_file(path: Path) -> Iterator[Path]:
    """Yield a new owner-only file next to `path`, renamed to `path` once the block succeeds.

    A backup that fails half-way never sits under the final name, and no other user can read
    even the partial file (it holds personal data).
    """
    if path.exists():
        raise UserError(N_("backup.error.exists"), path=path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _os_user() -> str:
    """Name the operating-system account running the command (its uid if it has no name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a container user with no passwd entry
        return f"uid {os.getuid()}"


def _audit(database_url: str, *, actor: Actor, action: str, path: Path) -> None:
    """Write who ran a backup or restore, when, on which machine, with which file."""
    where = {"file": str(path), "host": socket.gethostname(), "user": _os_user()}
    database = Database(database_url)
    try:
        database.call(
            lambda s: record_audit(
                session=s,
                actor=actor,
                action=action,
                table="database",
                record_id=path.name[:64],
                new=where,
                at=datetime.now(UTC),
            )
        )
    finally:
        database.dispose()


def _revision(database_url: str) -> str | None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def backup_database(*, database_url: str, out: Path, actor: Actor) -> BackupResult:
    """Copy the live database into a new owner-only file and audit it."""
    out = out.resolve()
    if _kind(database_url) == SQLITE:
        source = _sqlite_path(database_url)
        if not source.is_file():
            raise UserError(N_("backup.error.no_database"), path=source)
        pg_dump = None
    else:
        pg_dump = _tool("pg_dump")  # before any file is made: say so first if it is missing
    with _owner_only_file(out) as partial:
        if pg_dump is None:
            _sqlite_copy(source, partial)
        else:
            dbname, env = _libpq(database_url)
            _run_tool(
                [pg_dump, "--format=custom", "--no-password", f"--file={partial}", dbname], env
            )
    _audit(database_url, actor=actor, action="database.backup", path=out)
    revision = _sqlite_revision(out) if pg_dump is None else _revision(database_url)
    return BackupResult(path=out, size=out.stat().st_size, revision=revision)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page through the online backup API."""
    # The source is opened read-only, so a wrong path can never create an empty database.
    reader = closing(sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True))
    with reader as source_db, closing(sqlite3.connect(target)) as target_db:
        # pages=-1: the whole copy in one step, under one read transaction, so writers
        # committing meanwhile neither restart it nor end up half in the copy.
        source_db.backup(target_db, pages=-1)
        # A rollback-journal file stands alone: no -wal or -shm file is needed to read it.
        target_db.execute("PRAGMA journal_mode=DELETE")


def _sqlite_revision(path: Path) -> str | None:
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as reader:
        try:
            row = reader.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            return None
    return row[0] if row else None


def backup_kind(path: Path) -> str:
    """Tell which database a backup file is for by its first bytes, refusing anything else."""
    if not path.is_file():
        raise UserError(N_("restore.error.missing"), path=path)
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if head == SQLITE_HEADER and _sqlite_revision(path) is not None:
        return SQLITE
    if head.startswith(PG_DUMP_HEADER):
        return POSTGRESQL
    raise UserError(N_("restore.error.not_a_backup"), path=path)


def _has_tables(database_url: str) -> bool:
    if _kind(database_url) == SQLITE:
        target = _sqlite_path(database_url)
        if not target.exists() or target.stat().st_size == 0:
            return False
        with closing(sqlite3.connect(f"{target.as_uri()}?mode=ro", uri=True)) as reader:
            return reader.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            count = connection.execute(
                text(
                    "SELECT count(*) FROM pg_catalog.pg_class c "
                    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') "
                    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                    "AND n.nspname NOT LIKE 'pg_toast%'"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return count > 0


def restore_database(*, database_url: str, backup: Path, actor: Actor) -> RestoreResult:
    """Restore a backup into an empty database, audit it, and compare its schema to the code."""
    backup = backup.resolve()
    kind = backup_kind(backup)
    target_kind = _kind(database_url)
    if kind != target_kind:
        raise UserError(N_("restore.error.wrong_kind"), path=backup, kind=kind, target=target_kind)
    pg_restore = _tool("pg_restore") if kind == POSTGRESQL else None
    if _has_tables(database_url):
        raise UserError(N_("restore.error.not_empty"), url=shown_url(database_url))
    if pg_restore is None:
        _sqlite_restore(backup, _sqlite_path(database_url))
    else:
        dbname, env = _libpq(database_url)
        # One transaction: a restore that fails half-way leaves the database empty, as it was.
        command = [pg_restore, "--no-owner", "--no-password", "--exit-on-error"]
        _run_tool([*command, "--single-transaction", f"--dbname={dbname}", str(backup)], env)
    _audit(database_url, actor=actor, action="database.restore", path=backup)
    revision = _revision(database_url)
    return RestoreResult(revision=revision, schema=_schema_state(database_url, revision))


def _sqlite_restore(backup: Path, target: Path) -> None:
    """Copy a SQLite backup into a new owner-only database file through the backup API."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not target.exists():
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))
    os.chmod(target, OWNER_ONLY)
    _sqlite_copy(backup, target)


def _schema_state(database_url: str, revision: str | None) -> str:
    """Compare the restored schema with this code's migrations."""
    from alembic.script import ScriptDirectory

    from storage import migrate

    scripts = ScriptDirectory.from_config(migrate.alembic_config(database_url))
    if revision in set(scripts.get_heads()):
        return "current"
    known = {script.revision for script in scripts.walk_revisions()}
    return "older" if revision in known else "newer"
