"""Several processes take updates on one PostgreSQL: each chat's run in one of them at a time.

Behind a load balancer, a chat's answers reach different web processes. Whichever process
stored an update, the chat's stored rows run in the process that holds the chat's lock (a
PostgreSQL advisory lock on a connection of its own), oldest first, each marked finished before
the lock is given back, so they keep their order and none runs twice. The lock dies with its
connection: rows left by a process killed mid-way are picked up by another one's sweep.

A process that finds the lock taken leaves the chat to its holder, which looks for new rows
once more after giving the lock back: a row stored while the holder worked is never left over.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Coroutine, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine
from sqlmodel import Session
from telegram import Update

from storage import inbox_queries
from storage.db import CONNECT_TIMEOUT, is_unavailable, sqlalchemy_url

if TYPE_CHECKING:
    from bot.telegram.inbox import Inbox

log = logging.getLogger(__name__)

SWEEP_EVERY = 2.0  # seconds between looks for chats whose rows nobody is running
# Chats run at once by one process, each holding a lock connection: about the handlers' own pool
# (more would only queue there), and few enough that several web processes stay well inside
# PostgreSQL's default 100 connections.
LOCKED_CHATS = 20
EMPTY, BUSY, AGAIN, RETRY = "empty", "busy", "again", "retry"


def lock_engine(database_url: str, *, size: int) -> Engine:
    """Create the pool of connections that hold chat locks (apart from the handlers' pool)."""
    return create_engine(
        sqlalchemy_url(database_url),
        pool_size=size,
        max_overflow=0,
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT},
    )


class ChatLeases:
    """Run each chat's stored updates while holding the chat's lock, one chat per task."""

    def __init__(self, inbox: Inbox, *, max_concurrent: int, pauses: Sequence[float]) -> None:
        self.inbox = inbox
        self.db = inbox.db
        at_once = min(max_concurrent, LOCKED_CHATS)
        self.engine = lock_engine(inbox.db.url, size=at_once)
        self.pauses = tuple(pauses)
        self._slots = asyncio.Semaphore(at_once)
        self._running: dict[int, asyncio.Task[None]] = {}
        self._again: set[int] = set()

    def wake(self, chat: int) -> None:
        """Have the chat's stored rows run (here, unless another process runs them)."""
        if chat in self._running:
            self._again.add(chat)
            return
        self._running[chat] = asyncio.create_task(self._work(chat), name=f"chat-{chat}")

    async def sweep_loop(self, fetch: Coroutine[Any, Any, None] | None) -> None:
        """Wake every chat with rows to run now and then (and poll meanwhile, if asked)."""
        fetcher = asyncio.create_task(fetch) if fetch is not None else None
        try:
            while True:
                if fetcher is not None and fetcher.done():
                    fetcher.result()
                try:
                    chats = await self.db.run_read(
                        lambda s: inbox_queries.chats_with_pending(session=s)
                    )
                except Exception as error:
                    if not is_unavailable(error):
                        log.exception("could not look for pending updates")
                    chats = []
                for chat in chats:
                    self.wake(chat)
                try:
                    await self.inbox.purge_now_and_then()
                except Exception as error:
                    if not is_unavailable(error):
                        log.exception("could not purge finished updates")
                await asyncio.sleep(SWEEP_EVERY)
        finally:
            if fetcher is not None:
                fetcher.cancel()
                await asyncio.gather(fetcher, return_exceptions=True)

    async def drain(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for running chats, cancel the rest, close the pool."""
        workers = list(self._running.values())
        if workers:
            _done, running = await asyncio.wait(workers, timeout=timeout)
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
        self.engine.dispose()

    async def _work(self, chat: int) -> None:
        failures = 0
        try:
            while True:
                self._again.discard(chat)
                async with self._slots:
                    try:
                        outcome = await self._run_chat(chat)
                    except Exception as error:
                        if not is_unavailable(error):
                            log.exception("could not run the updates of a chat")
                        outcome = RETRY
                if outcome == RETRY:
                    await asyncio.sleep(self.pauses[min(failures, len(self.pauses) - 1)])
                    failures += 1
                    continue
                failures = 0
                if outcome == AGAIN or chat in self._again:
                    continue
                return
        finally:
            del self._running[chat]
            self._again.discard(chat)

    async def _run_chat(self, chat: int) -> str:
        """Run the chat's rows under its lock; say whether there may be more to do."""
        connection = await asyncio.to_thread(self._lock, chat)
        if connection is None:
            return BUSY  # its holder looks again after giving the lock back
        try:
            outcome = await self._run_rows(chat)
        finally:
            await asyncio.to_thread(self._unlock, connection, chat)
        if outcome == RETRY:
            return RETRY
        left = await self.db.run_read(
            lambda s: inbox_queries.pending_updates_of_chat(session=s, chat_id=chat)
        )
        return AGAIN if left else EMPTY

    async def _run_rows(self, chat: int) -> str:
        from bot.telegram.inbox import KEEP
        from bot.telegram.inbox import RETRY as RUN_AGAIN

        bot = self.inbox.application.bot
        while True:
            rows = await self.db.run_read(
                lambda s: inbox_queries.pending_updates_of_chat(session=s, chat_id=chat)
            )
            if not rows:
                return EMPTY
            for row in rows:
                update = Update.de_json(json.loads(row.payload), bot)
                verdict = await self.inbox.run_update(update)
                if verdict is RUN_AGAIN or verdict is KEEP:
                    return RETRY  # the database is away: this chat waits for it
                # Finished before the lock goes back, so no other process runs it again.
                await self.db.run(partial(_finish, update.update_id, verdict))

    def _lock(self, chat: int) -> Connection | None:
        connection = self.engine.connect()
        try:
            if inbox_queries.try_lock_chat(connection=connection, chat_id=chat):
                return connection
        except BaseException:
            connection.invalidate()
            connection.close()
            raise
        connection.close()
        return None

    def _unlock(self, connection: Connection, chat: int) -> None:
        try:
            inbox_queries.unlock_chat(connection=connection, chat_id=chat)
        except Exception:
            # Closing the session for good releases its locks all the same.
            with contextlib.suppress(Exception):
                connection.invalidate()
        finally:
            connection.close()


def _finish(update_id: int, verdict: object, session: Session) -> None:
    """Mark an update finished: failed if it was pending, else done."""
    from bot.telegram.inbox import Failed

    if isinstance(verdict, Failed):
        inbox_queries.finish_updates(session=session, done=[], failed=[(update_id, verdict.error)])
    # An applied row whose re-run failed has its writes in: done, so it does not run forever.
    inbox_queries.finish_updates(session=session, done=[update_id], failed=[])
