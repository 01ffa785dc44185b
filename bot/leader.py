"""One working worker among many: whoever holds a PostgreSQL advisory lock runs the jobs.

The lock is held by a connection of its own; it dies with that connection, so when the working
worker dies (even by SIGKILL) a waiting one takes it within a few seconds and starts the jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

from storage.db import CONNECT_TIMEOUT, sqlalchemy_url

log = logging.getLogger(__name__)

WORKER_LOCK = 0x6775616E6169  # "guanai": the one key of the working worker's lock
TRY_EVERY = 1.0  # seconds between tries of a waiting worker, and checks of the working one


class WorkerLock:
    """The working worker's advisory lock on a dedicated connection."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(
            sqlalchemy_url(database_url),
            poolclass=NullPool,
            connect_args={"connect_timeout": CONNECT_TIMEOUT},
        )
        self._connection: Connection | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None

    def try_take(self) -> bool:
        """Take the lock unless another worker holds it."""
        connection = self.engine.connect()
        try:
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": WORKER_LOCK}
            ).scalar()
            connection.commit()
        except BaseException:
            connection.close()
            raise
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def still_held(self) -> bool:
        """Check the lock's connection is alive; if not, the lock is gone with it."""
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except Exception:
            self.release()
            return False

    def release(self) -> None:
        """Let go of the lock (closing its connection drops it)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.invalidate()
            with contextlib.suppress(Exception):
                connection.close()

    def dispose(self) -> None:
        self.release()
        self.engine.dispose()


async def lead(
    lock: WorkerLock,
    stop: asyncio.Event,
    *,
    start_work: Callable[[], None],
    stop_work: Callable[[], None],
    every: float = TRY_EVERY,
) -> None:
    """Wait for the lock, work while holding it, wait again if it is lost, until `stop`."""
    waiting_told = False
    try:
        while not stop.is_set():
            if lock.held:
                if not await asyncio.to_thread(lock.still_held):
                    log.warning("lost the worker lock (database connection gone): jobs stop")
                    stop_work()
            else:
                try:
                    taken = await asyncio.to_thread(lock.try_take)
                except Exception as error:
                    log.warning("could not try the worker lock (%s)", type(error).__name__)
                    taken = False
                if taken:
                    log.info("holding the worker lock: running the jobs")
                    waiting_told = False
                    start_work()
                elif not waiting_told:
                    log.info("another worker holds the worker lock: waiting to take over")
                    waiting_told = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
    finally:
        if lock.held:
            stop_work()
        await asyncio.to_thread(lock.dispose)
