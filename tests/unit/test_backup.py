"""Backups: `python -m bot backup` copies the live database while it is written to, into an
owner-only file; `python -m bot restore` puts it into an empty database and nothing else."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect, make_url, text
from sqlmodel import Session, col, select

from bot.audit import Actor, record_audit
from bot.backup import _libpq
from bot.cli import main
from storage import migrate
from storage.db import Database, make_engine, sqlalchemy_url
from storage.models import AuditEntry
from tests.support.database import using_postgres
from tests.support.seed import NEIGHBOUR_VILLAGE, TOWNSHIP, VILLAGE, seed_region

WRITES_BEFORE_BACKUP = 20
STAFF = [
    ("director", VILLAGE, "王芳"),
    ("director", NEIGHBOUR_VILLAGE, "李强"),
    ("supervisor", TOWNSHIP, "陈静"),
]


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("BOT_LOCALE", "en")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


def one_sentence(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


class Writer(threading.Thread):
    """Keeps committing transactions of two audit rows each, as a running bot would write."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        self.db = Database(database_url)
        self.done = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.db.call(self._pair)
                self.done += 1
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error
        finally:
            self.db.dispose()

    def _pair(self, session: Session) -> None:
        for half in ("a", "b"):
            record_audit(
                session=session,
                actor=Actor.cli(),
                action=f"test.write.{half}",
                table="test",
                record_id=self.done,
            )

    def wait_for(self, count: int) -> None:
        while self.done < count:
            assert self.error is None, self.error
            assert self.is_alive()
            self.stop.wait(0.01)


def seed_with_the_cli(database_url: str) -> None:
    db = Database(database_url)
    try:
        seed_region(db)
    finally:
        db.dispose()
    for role, org, name in STAFF:
        assert main(["staff", "invite", "--role", role, "--org", org, "--name", name]) == 0


def all_rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order."""
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        return {
            table: sorted(
                (tuple(row) for row in connection.execute(text(f'SELECT * FROM "{table}"'))),
                key=repr,
            )
            for table in tables
        }


def audit_rows(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


def backup_while_writing(source_url: str, out: Path) -> Writer:
    """Back up with the CLI while another thread keeps committing; return the stopped writer."""
    writer = Writer(source_url)
    writer.start()
    try:
        writer.wait_for(WRITES_BEFORE_BACKUP)
        assert main(["backup", "--out", str(out)]) == 0
        writer.wait_for(writer.done + 5)  # still writing after the copy
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None
    return writer


def assert_same_rows_as_a_snapshot(source: Engine, restored: Engine, backup: Path) -> None:
    """The restored database is the source as it was at one moment, plus the restore's audit."""
    source_rows, restored_rows = all_rows(source), all_rows(restored)
    assert set(source_rows) == set(restored_rows)
    for table in source_rows:
        if table != "audit_log":
            assert restored_rows[table] == source_rows[table], table
    before, after = audit_rows(source), audit_rows(restored)
    assert after[-1].action == "database.restore"
    assert after[-1].actor_label == "cli" and str(backup) in (after[-1].new_value or "")
    copied = after[:-1]
    assert [row.model_dump() for row in copied] == [row.model_dump() for row in before][
        : len(copied)
    ]
    pairs = [row.record_id for row in copied if row.table_name == "test"]
    # Whole transactions only: both rows of every pair, and every pair before the last.
    assert pairs == [str(n) for n in range(len(pairs) // 2) for _ in "ab"]
    assert WRITES_BEFORE_BACKUP * 2 <= len(pairs) < sum(r.table_name == "test" for r in before)
    backup_audit = [row for row in before if row.action == "database.backup"]
    assert len(backup_audit) == 1 and str(backup) in (backup_audit[0].new_value or "")
    assert not any(row.action == "database.backup" for row in copied)


def owner_only(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.skipif(using_postgres(), reason="the SQLite round trip; PostgreSQL has its own")
def test_backup__sqlite_while_the_bot_writes__restores_the_same_rows_into_a_new_file(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed_with_the_cli(database_url)
    out = tmp_path / "backups" / "guanai-2026-12-01.db"

    backup_while_writing(database_url, out)

    assert owner_only(out)
    assert out.read_bytes().startswith(b"SQLite format 3\x00")
    assert "Backup of" in capsys.readouterr().out
    target = tmp_path / "restored" / "guanai.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{target}")
    assert main(["restore", str(out)]) == 0
    assert "schema is at the newest migration" in capsys.readouterr().out
    assert owner_only(target)
    with sqlite3.connect(target) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    source, restored = make_engine(database_url), make_engine(f"sqlite:///{target}")
    try:
        assert_same_rows_as_a_snapshot(source, restored, out)
    finally:
        source.dispose()
        restored.dispose()


@pytest.fixture
def fresh_postgres_url(database_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    if not using_postgres():
        pytest.skip("needs PostgreSQL: set GUANAI_TEST_DATABASE_URL")
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not on PATH")
    name = f"guanai_restore_{uuid.uuid4().hex[:12]}"
    server = create_engine(
        make_url(sqlalchemy_url(database_url)).set(database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_backup__postgresql_while_the_bot_writes__pg_restore_into_a_fresh_database(
    database_url: str,
    fresh_postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed_with_the_cli(database_url)
    out = tmp_path / "guanai.dump"

    backup_while_writing(database_url, out)

    assert owner_only(out)
    assert out.read_bytes().startswith(b"PGDMP")
    monkeypatch.setenv("DATABASE_URL", fresh_postgres_url)
    assert main(["restore", str(out)]) == 0
    assert "schema is at the newest migration" in capsys.readouterr().out
    assert migrate.is_current(fresh_postgres_url)
    source, restored = make_engine(database_url), make_engine(fresh_postgres_url)
    try:
        assert_same_rows_as_a_snapshot(source, restored, out)
    finally:
        source.dispose()
        restored.dispose()


def test_restore__into_a_database_with_tables__refused_and_left_as_it_was(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if using_postgres() and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not on PATH")
    seed_with_the_cli(database_url)
    out = tmp_path / "guanai.backup"
    assert main(["backup", "--out", str(out)]) == 0
    engine = make_engine(database_url)
    before = all_rows(engine)
    capsys.readouterr()

    assert main(["restore", str(out)]) == 2

    line = one_sentence(capsys.readouterr().err)
    assert "already has tables" in line and "only restored into an empty database" in line
    assert all_rows(engine) == before
    engine.dispose()


def test_restore__a_file_that_is_no_backup__refused_in_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database", encoding="utf-8")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")  # a SQLite file, but not Guanai's

    for wrong in (notes, other, tmp_path / "missing.db"):
        assert main(["restore", str(wrong)]) == 2
        line = one_sentence(capsys.readouterr().err)
        assert str(wrong) in line
        assert "not a Guanai backup" in line or "no file" in line


def test_restore__a_backup_of_the_other_database_kind__refused_before_connecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "guanai.dump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(64))
    sqlite_backup = tmp_path / "guanai.db"
    migrate.upgrade(f"sqlite:///{sqlite_backup}")
    capsys.readouterr()  # the migration's log lines

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    assert main(["restore", str(dump)]) == 2
    assert "is a PostgreSQL backup, but DATABASE_URL points to a SQLite database" in (
        one_sentence(capsys.readouterr().err)
    )
    new_db = tmp_path / "new.db"
    assert not new_db.exists() or new_db.stat().st_size == 0  # nothing restored into it

    monkeypatch.setenv("DATABASE_URL", "postgresql://guanai:secret@127.0.0.1:1/guanai")
    assert main(["restore", str(sqlite_backup)]) == 2
    line = one_sentence(capsys.readouterr().err)
    assert "is a SQLite backup, but DATABASE_URL points to a PostgreSQL database" in line


def test_backup__postgresql_without_pg_dump__says_how_to_get_it_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://guanai:secret@127.0.0.1:1/guanai")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    out = tmp_path / "guanai.dump"

    assert main(["backup", "--out", str(out)]) == 2

    line = one_sentence(capsys.readouterr().err)
    assert line.startswith("pg_dump was not found on PATH: install the PostgreSQL client tools")
    assert not out.exists() and not list(tmp_path.glob("guanai.dump*"))


def test_backup__an_existing_file__never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "guanai.backup"
    out.write_text("yesterday's backup", encoding="utf-8")

    assert main(["backup", "--out", str(out)]) == 2

    assert "already exists" in one_sentence(capsys.readouterr().err)
    assert out.read_text(encoding="utf-8") == "yesterday's backup"


def test_restore__a_backup_from_an_older_version__says_to_run_db_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(old, "0006_sweep_run_lease")
    monkeypatch.setenv("DATABASE_URL", old)
    assert main(["backup", "--out", str(tmp_path / "old.backup")]) == 0
    new = f"sqlite:///{tmp_path / 'new.db'}"
    monkeypatch.setenv("DATABASE_URL", new)
    capsys.readouterr()

    assert main(["restore", str(tmp_path / "old.backup")]) == 0

    out = capsys.readouterr().out
    assert "0006_sweep_run_lease" in out and "run `python -m bot db upgrade`" in out
    assert not migrate.is_current(new)
    assert main(["db", "upgrade"]) == 0
    assert migrate.is_current(new)


def test_backup__postgresql_password__travels_in_the_environment_not_the_command_line() -> None:
    dbname, env = _libpq("postgresql://guanai:s3cret@db.example:5433/guanai?sslmode=require")

    assert "s3cret" not in dbname
    assert dbname == "postgresql://guanai@db.example:5433/guanai?sslmode=require"
    assert env["PGPASSWORD"] == "s3cret"
    assert os.environ.get("PGPASSWORD") != "s3cret"
