"""Engine and transactions; blocking database work runs off the event loop."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlmodel import Session, create_engine

from storage import inbox_queries

T = TypeVar("T")
READ_ONLY = "guanai_read_only"  # an execution option: this transaction only reads
LAST_USED = "guanai_last_used"  # when a pooled connection was last given back
PING_AFTER_IDLE = 10.0  # seconds
# A database that is down or hung must fail a handler within seconds, not leave it hanging:
# the update stays in the inbox and is processed again once the database answers.
CONNECT_TIMEOUT = 5  # seconds to open a PostgreSQL connection
STATEMENT_TIMEOUT_MS = 60_000  # longest statement PostgreSQL runs (the sweep's are far shorter)
POOL_TIMEOUT = 15  # seconds to wait for a free pooled connection
SQLITE_BUSY_TIMEOUT_MS = 30_000  # longest wait for SQLite's write lock
WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass
class UpdateClaim:
    """The inbox row of the update being handled; the first transaction that writes claims it.

    "Processed once" means: the first transaction of a handler that writes anything also marks
    the update's inbox row applied, so its effects and the mark commit together, and a second try
    (after a crash, or a commit that hung and came through late) can never commit them again.
    Transactions after the first are follow-ups of one already processed update; the form
    service keeps them harmless on a re-run by `last_update` and by button versions.
    """

    update_id: int
    claimed: bool = False  # the inbox row was marked applied by one of this update's transactions
    wrote: bool = False  # the current transaction has written (set by the engine listener)


class AlreadyProcessed(Exception):
    """This update's inbox row was marked applied by another transaction: roll this one back."""


_handling: ContextVar[UpdateClaim | None] = ContextVar("guanai_handling_update", default=None)


@contextmanager
def handling_update(claim: UpdateClaim) -> Iterator[UpdateClaim]:
    """Make transactions run within this block (and its threads) claim the update's inbox row."""
    token = _handling.set(claim)
    try:
        yield claim
    finally:
        _handling.reset(token)


def is_unavailable(error: BaseException) -> bool:
    """Tell whether an error means the database could not be reached or did not answer in time."""
    return isinstance(
        error, (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)
    )


def _watch_writes(engine: Engine) -> None:
    """Note when a transaction run for an unclaimed update writes, so it can claim the update."""

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        claim = _handling.get()
        if claim is not None and not claim.claimed and not claim.wrote:
            claim.wrote = statement.lstrip()[:6].upper() in WRITES


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
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
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


def _private_sqlite_file(path: Path) -> None:
    """Create the SQLite file and its folder readable by the owner only (0600 and 0700).

    SQLite gives its -wal and -shm files the main file's permissions.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.chmod(0o700)  # mkdir's mode is narrowed by the umask, never widened
    if not path.exists():
        try:
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        except OSError:
            return  # SQLite reports the unusable path in its own words when it connects
        path.chmod(0o600)


def make_engine(database_url: str) -> Engine:
    """Create the engine for a DATABASE_URL, creating the SQLite folder if needed."""
    url = make_url(sqlalchemy_url(database_url))
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            _private_sqlite_file(Path(url.database))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _prepare_sqlite(engine)
        _watch_writes(engine)
        return engine
    engine = create_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_timeout=POOL_TIMEOUT,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
        },
    )
    _ping_idle_connections(engine)
    _watch_writes(engine)
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
        """Yield a session whose work commits together at the end, or not at all.

        While an update is handled (see `handling_update`), the first transaction that writes
        also marks the update's inbox row applied, or rolls back if another one did already.
        """
        claim = _handling.get()
        if claim is None or claim.claimed:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
            return
        claim.wrote = False
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session
                session.flush()  # pending ORM writes count as writes too
                claiming = claim.wrote
                if claiming and not inbox_queries.claim_update(
                    session=session, update_id=claim.update_id
                ):
                    raise AlreadyProcessed(claim.update_id)
            claim.claimed = claiming

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
