"""The inbox: an update is stored before Telegram is told it arrived (polled or by webhook).

python-telegram-bot's Updater confirms each update (the next getUpdates offset) as soon as it
is fetched, so a crash lost what was received but not yet handled. Here the fetch loop writes
each batch to the `inbox` table and only then asks for the next offset; the processing side
runs the stored updates per chat in order, and a handler's first writing transaction marks
its row applied (see `storage.db.UpdateClaim`), done once its handlers have run. At start-up
the rows still pending or applied go first: an applied one's writes cannot be made again (its
claim fails), and a form answer's reply lost to the crash is shown again (its form sees the
update as applied already and shows the current question).

The webhook receiver (`bot.telegram.webhook`) stores through the same `take_in` as the fetch
loop. With several processes taking updates on PostgreSQL, chats run under their locks
(`bot.telegram.leases`) rather than in this process's queues.

While the database is unreachable nothing is confirmed to Telegram (it keeps the updates), a
stored update whose handler could not reach the database is tried again, and each sender is
told once per outage that their answer was kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import Conflict, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationHandlerStop

from bot.ops import metrics
from bot.services import Services
from bot.telegram.botapi import Fetched, GuanaiBot
from bot.telegram.updates import ChatQueues
from storage import inbox_queries
from storage.db import AlreadyProcessed, UpdateClaim, handling_update, is_unavailable
from storage.inbox_queries import ReceivedUpdate

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ("message", "callback_query")
POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates open when there is nothing new
PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)  # back-off after failures, in seconds
FLUSH_AFTER = 0.05  # seconds: "done" marks of updates that wrote nothing are batched
KEEP_FINISHED = timedelta(days=7)
PURGE_EVERY = 3600.0  # seconds
DRAIN_TIMEOUT = 10.0  # seconds running updates get to finish at shutdown
CONFLICT_QUIET = 120.0  # seconds without a 409 before another poller counts as gone


class _Mark(str):
    """A verdict on one update that needs no details."""


RETRY = _Mark("retry")  # the database was out of reach before the update wrote: run it again
KEEP = _Mark("keep")  # its writes are in but the database went away after: leave it applied
DONE = _Mark("done")


@dataclass(frozen=True)
class Failed:
    """The update's handlers failed with this error (its name): it will not run again."""

    error: str


Verdict = _Mark | Failed


@dataclass
class _Outcome:
    """What the error handlers saw while one update ran."""

    error: BaseException | None = None


_outcome: ContextVar[_Outcome | None] = ContextVar("guanai_inbox_outcome", default=None)


def chat_key(update: Update) -> int:
    """Key updates by chat (by user for chatless ones) so one person's stay in order."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return 0


class _Pauses:
    """Growing pauses between retries, reset after a success."""

    def __init__(self, pauses: Sequence[float] = PAUSES) -> None:
        self._pauses = tuple(pauses)
        self.failures = 0

    async def wait(self) -> None:
        """Sleep the next pause."""
        await asyncio.sleep(self._pauses[min(self.failures, len(self._pauses) - 1)])
        self.failures += 1

    def reset(self) -> None:
        self.failures = 0


class Inbox:
    """Fetch updates into the inbox and process them from there, per chat in order."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        *,
        allowed_updates: Sequence[str] = ALLOWED_UPDATES,
        poll_timeout: int = POLL_TIMEOUT,
        max_concurrent: int = 64,
        pauses: Sequence[float] = PAUSES,
        leased: bool = False,
    ) -> None:
        from bot.telegram.leases import ChatLeases

        self.application = application
        services: Services = application.bot_data["services"]
        self.db = services.db
        self.clock = services.clock
        self.translate = services.i18n.translator(services.settings.bot_locale)
        self.allowed_updates = list(allowed_updates)
        self.poll_timeout = poll_timeout
        self.pauses = tuple(pauses)
        self.chats: ChatQueues[Update] = ChatQueues(
            self._process, max_concurrent=max_concurrent, retry_pauses=self.pauses
        )
        self._told: set[int] = set()  # chats told "kept" during the current outage
        self._done: list[int] = []
        self._failed: list[tuple[int, str]] = []
        self._marks = asyncio.Event()
        self._last_purge = 0.0
        # Several processes taking updates (PostgreSQL): each chat's rows run in the process
        # holding the chat's lock, not in the one that happened to receive them.
        self.leases = (
            ChatLeases(self, max_concurrent=max_concurrent, pauses=self.pauses) if leased else None
        )
        application.add_error_handler(self._note_error)

    # -- running ---------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, *, poll: bool = True) -> None:
        """Process what is pending, then fetch (unless a webhook delivers, `poll=False`) and
        process until `stop` is set."""
        if self.leases is None:
            await self._load_pending()
            source = self._fetch_loop() if poll else stop.wait()
        else:
            source = self.leases.sweep_loop(self._fetch_loop() if poll else None)
        fetcher = asyncio.create_task(source, name="inbox-fetch")
        marker = asyncio.create_task(self._mark_loop(), name="inbox-marks")
        stopping = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({fetcher, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if fetcher.done():
                fetcher.result()  # a bug in the loop itself: let it surface
        finally:
            stopping.cancel()
            fetcher.cancel()
            await asyncio.gather(fetcher, return_exceptions=True)
            # What is cut short stays pending in the inbox and runs again at the next start.
            await self.chats.drain(DRAIN_TIMEOUT)
            if self.leases is not None:
                await self.leases.drain(DRAIN_TIMEOUT)
            marker.cancel()
            await asyncio.gather(marker, return_exceptions=True)
            with contextlib.suppress(Exception):
                await self._flush_marks()

    async def _load_pending(self) -> None:
        pauses = _Pauses(self.pauses)
        while True:
            try:
                rows = await self.db.run_read(lambda s: inbox_queries.pending_updates(session=s))
                break
            except Exception as error:
                if not is_unavailable(error):
                    raise
                log.warning("database unavailable: pending updates wait for it")
                await pauses.wait()
        if rows:
            log.info("processing %d updates received before the last stop", len(rows))
        bot = self.application.bot
        for row in rows:
            update = Update.de_json(_loads(row.payload), bot)
            self.chats.put(chat_key(update), update)

    # -- fetching --------------------------------------------------------------------------

    async def _fetch_loop(self) -> None:
        bot = self.application.bot
        offset: int | None = None
        pauses = _Pauses(self.pauses)
        conflict_at: float | None = None  # when another poller last got in the way
        stored_failing = False
        while True:
            try:
                fetched = await self._fetch(bot, offset)
            except Conflict:
                # Two pollers take turns getting 409s; say it once until they stop for a while.
                if conflict_at is None:
                    log.warning("another instance is polling this bot; waiting until it stops")
                conflict_at = time.monotonic()
                await pauses.wait()
                continue
            except RetryAfter as error:
                await asyncio.sleep(_seconds(error.retry_after))
                continue
            except TelegramError as error:
                log.warning("getUpdates failed (%s); trying again", type(error).__name__)
                await pauses.wait()
                continue
            if conflict_at is not None and time.monotonic() - conflict_at > CONFLICT_QUIET:
                log.info("no other instance polled for a while: polling alone again")
                conflict_at = None
            if not fetched:
                pauses.reset()
                continue
            updates = [f.update for f in fetched]
            try:
                await self.take_in(updates, payloads=[f.payload for f in fetched])
            except Exception as error:
                # Not stored, so not confirmed: Telegram hands the same updates out again.
                if is_unavailable(error):
                    if not stored_failing:
                        log.warning("database unavailable: updates stay with Telegram meanwhile")
                        stored_failing = True
                else:
                    log.exception("could not store updates; trying again")
                await pauses.wait()
                continue
            if stored_failing:
                log.info("database available again: storing updates")
                stored_failing = False
            pauses.reset()
            offset = updates[-1].update_id + 1

    async def _fetch(self, bot: Any, offset: int | None) -> list[Fetched]:
        if isinstance(bot, GuanaiBot):
            return await bot.fetch_updates(
                offset=offset, timeout=self.poll_timeout, allowed_updates=self.allowed_updates
            )
        updates = await bot.get_updates(
            offset=offset, timeout=self.poll_timeout, allowed_updates=self.allowed_updates
        )
        return [Fetched(u, u.to_json()) for u in updates]

    # -- receiving (shared by polling and the webhook) --------------------------------------

    async def take_in(
        self, updates: Sequence[Update], *, payloads: Sequence[str] | None = None
    ) -> None:
        """Store a batch of received updates in one transaction, then have the new ones run.

        `payloads` are the updates' JSON as received, when the caller has it. Raises what
        storing raised (nothing was stored then); if the database is out of reach, each sender
        is first told their answer waits. Updates stored before run only once.
        """
        texts = payloads if payloads is not None else [u.to_json() for u in updates]
        received = [
            ReceivedUpdate(u.update_id, chat_key(u), text)
            for u, text in zip(updates, texts, strict=True)
        ]
        try:
            new = await self.db.run(
                lambda s: inbox_queries.store_updates(session=s, updates=received, now=self.clock())
            )
        except Exception as error:
            if is_unavailable(error):
                for update in updates:
                    await self._tell_kept(update)
            raise
        for update in updates:
            if update.update_id in new:
                self.dispatch(update)

    def dispatch(self, update: Update) -> None:
        """Have a stored update run after the earlier ones of its chat."""
        if self.leases is not None:
            self.leases.wake(chat_key(update))
        else:
            self.chats.put(chat_key(update), update)

    # -- processing ------------------------------------------------------------------------

    async def _process(self, update: Update) -> bool:
        """Run one stored update's handlers; False to try it again later."""
        verdict = await self.run_update(update)
        if verdict is RETRY:
            return False
        if verdict is KEEP:
            return True  # its writes are in; the row stays applied and runs again at start
        if isinstance(verdict, Failed):
            self._failed.append((update.update_id, verdict.error))
        else:
            self._done.append(update.update_id)
        self._marks.set()
        return True

    async def run_update(self, update: Update) -> Verdict:
        """Run one stored update's handlers and say what became of it."""
        claim = UpdateClaim(update.update_id)
        outcome = _Outcome()
        token = _outcome.set(outcome)
        try:
            with handling_update(claim), metrics.handling(update):
                await self.application.process_update(update)
        except Exception as escaped:  # process_update hands handler errors to error handlers
            outcome.error = outcome.error or escaped
        finally:
            _outcome.reset(token)
        error = outcome.error
        if error is not None and is_unavailable(error):
            await self._tell_kept(update)
            return KEEP if claim.claimed else RETRY  # unless its writes are in, it runs again
        if self._told:
            log.info("database available again")
            self._told.clear()
        if error is None or claim.claimed or isinstance(error, AlreadyProcessed):
            # Applied rows too: their writes are in and the handlers ran, replies included.
            return DONE
        return Failed(type(error).__name__)

    async def _note_error(self, update: object, context: Any) -> None:
        """Remember the error of the update being processed; stop its handlers if the database
        is out of reach (the next try runs them all again)."""
        outcome = _outcome.get()
        if outcome is None or not isinstance(update, Update):
            return
        error = context.error
        outcome.error = outcome.error or error
        if error is not None and (is_unavailable(error) or isinstance(error, AlreadyProcessed)):
            raise ApplicationHandlerStop

    async def _tell_kept(self, update: Update) -> None:
        """Tell the sender once per outage that their answer waits for the database."""
        chat = chat_key(update)
        if chat in self._told:
            return
        self._told.add(chat)
        try:
            if update.callback_query is not None:
                text = self.translate.plain("error.unavailable_kept")
                await update.callback_query.answer(text, show_alert=True)
            elif update.effective_chat is not None:
                text = self.translate("error.unavailable_kept")
                await self.application.bot.send_message(update.effective_chat.id, text)
        except TelegramError:
            log.warning("could not tell update %s it was kept", update.update_id)

    # -- marks -----------------------------------------------------------------------------

    async def _mark_loop(self) -> None:
        pauses = _Pauses(self.pauses)
        while True:
            await self._marks.wait()
            await asyncio.sleep(FLUSH_AFTER)
            self._marks.clear()
            try:
                await self._flush_marks()
                await self.purge_now_and_then()
                pauses.reset()
            except Exception as error:
                if not is_unavailable(error):
                    log.exception("could not mark updates done")
                self._marks.set()
                await pauses.wait()

    async def _flush_marks(self) -> None:
        done, failed = self._done, self._failed
        if not done and not failed:
            return
        self._done, self._failed = [], []
        try:
            await self.db.run(
                lambda s: inbox_queries.finish_updates(session=s, done=done, failed=failed)
            )
        except BaseException:
            self._done[:0], self._failed[:0] = done, failed
            raise

    async def purge_now_and_then(self) -> None:
        """Delete finished rows older than a week, at most once an hour."""
        if time.monotonic() - self._last_purge < PURGE_EVERY and self._last_purge:
            return
        self._last_purge = time.monotonic()
        before = self.clock() - KEEP_FINISHED
        await self.db.run(lambda s: inbox_queries.purge_finished(session=s, received_before=before))


def waits_in_inbox(error: BaseException) -> bool:
    """Tell whether a handler's error leaves its update in the inbox to run again later."""
    return is_unavailable(error) or isinstance(error, AlreadyProcessed)


def _loads(payload: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(payload)
    return data


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
