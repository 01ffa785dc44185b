"""Transactions: readers never queue behind SQLite's writers; dead connections are replaced."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from storage.db import Database
from tests.support.database import using_postgres


def in_thread(work: object) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)  # type: ignore[arg-type]
    thread.start()
    return thread


@pytest.mark.skipif(using_postgres(), reason="SQLite's locking only")
def test_read__while_a_writer_holds_the_lock__answers_without_waiting(db: Database) -> None:
    with db.transaction() as writer:
        writer.execute(text("UPDATE app_meta SET value = value"))
        reader = in_thread(lambda: db.read(lambda s: s.execute(text("SELECT 1")).scalar()))
        reader.join(2.0)
        assert not reader.is_alive(), "a read waited for the write lock"
        second_writer = in_thread(lambda: db.call(lambda s: s.execute(text("SELECT 1"))))
        second_writer.join(0.5)
        assert second_writer.is_alive(), "a second writer did not queue for the lock"
    second_writer.join(5.0)
    assert not second_writer.is_alive()


@pytest.mark.skipif(not using_postgres(), reason="PostgreSQL connections only")
def test_call__server_dropped_an_idle_connection__answers_on_a_fresh_one(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = db.call(lambda s: s.execute(text("SELECT pg_backend_pid()")).scalar())
    killer = Database(db.url)
    try:
        killer.call(lambda s: s.execute(text(f"SELECT pg_terminate_backend({backend})")))
    finally:
        killer.dispose()
    monkeypatch.setattr("storage.db.PING_AFTER_IDLE", 0.0)
    assert db.call(lambda s: s.execute(text("SELECT pg_backend_pid()")).scalar()) != backend
