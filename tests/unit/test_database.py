"""Transactions: writers queue for SQLite's one write lock, readers never do."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from storage.db import Database
from tests.support.database import using_postgres

pytestmark = pytest.mark.skipif(using_postgres(), reason="SQLite's locking only")


def in_thread(work: object) -> threading.Thread:
    thread = threading.Thread(target=work, daemon=True)  # type: ignore[arg-type]
    thread.start()
    return thread


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
