"""Engine and transactions; blocking database work runs off the event loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine

T = TypeVar("T")
READ_ONLY = "guanai_read_only"  # an execution option: this transaction only reads
LAST_USED = "guanai_last_used"  # when a pooled connection was last given back
PING_AFTER_IDLE = 10.0  # seconds


def sqlalchemy_url(database_url: str) -> str:
    """Turn a user-facing DATABASE_URL into the driver URL SQLAlchemy needs."""
    for prefix in ("postgres://", "postgresql://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix) :]
    return database_url


def _prepare_sqlite(engine: Engine) -> None:
    """Make SQLite safe for several threads: WAL, foreign keys, and write locks taken up front."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes can fail at once under WAL when
        # another writer got in between; taking the write lock at BEGIN makes it wait instead.
        # Reads (Database.read) need no lock under WAL, so they never queue behind writers.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        # Straight to the driver: BEGIN needs none of SQLAlchemy's statement machinery, which
        # cost a tenth of a form step's transaction.
        connection.connection.driver_connection.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(database_url: str) -> Engine:
    """Create the engine for a DATABASE_URL, creating the SQLite folder if needed."""
    url = make_url(sqlalchemy_url(database_url))
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _prepare_sqlite(engine)
        return engine
    engine = create_engine(url, pool_size=10, max_overflow=10)
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: Engine) -> None:
    """Test a pooled connection before use only when it sat idle, not on every checkout.

    A server restart leaves idle connections dead; pinging those is enough, and saves a round
    trip per transaction on busy ones (pool_pre_ping would ping every time).
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[LAST_USED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get(LAST_USED, 0.0) < PING_AFTER_IDLE:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as error:
            # The pool drops this connection and checks out another (up to three tries).
            raise DisconnectionError(str(error)) from error


class Database:
    """The one gateway to the database: sync transactions, offloaded to threads for async code."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.engine = make_engine(database_url)
        self._reader = self.engine.execution_options(**{READ_ONLY: True})

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session whose work commits together at the end, or not at all."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def call(self, work: Callable[[Session], T]) -> T:
        """Run one unit of work in its own transaction."""
        with self.transaction() as session:
            return work(session)

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run one unit of work in a worker thread so the event loop never waits on the database."""
        return await asyncio.to_thread(self.call, work)

    def read(self, work: Callable[[Session], T]) -> T:
        """Run work that only reads; on SQLite it does not wait for the write lock."""
        with Session(self._reader, expire_on_commit=False) as session, session.begin():
            return work(session)

    async def run_read(self, work: Callable[[Session], T]) -> T:
        """Run reading work in a worker thread."""
        return await asyncio.to_thread(self.read, work)

    def dispose(self) -> None:
        self.engine.dispose()
