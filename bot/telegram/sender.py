"""The outbox sender: the only code that sends messages someone must receive."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlmodel import Session
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.notify import outbox
from bot.notify.notification import read_payload, with_progress
from bot.notify.render import Renderer
from bot.ops import metrics
from bot.reply import Reply
from bot.telegram.keyboards import markup
from bot.telegram.ratelimit import retry_after_seconds
from bot.tracebacks import stack_without_messages
from storage import outbox_queries
from storage.outbox_queries import Claimed

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
BULK_RETRIES = 3  # passing rate-limit arguments marks a send as bulk for the limiter
REVOKED = "revoked"  # why a row went undeliverable: its recipient lost access after it was queued
# Called in the transaction that marks a row undeliverable, by the event's type (the text
# before the first colon), so the cause can move on: an escalation goes to the next level.
UndeliverableHook = Callable[[Session, Any, datetime], None]


@dataclass(frozen=True)
class Delivery:
    """What the sender needs besides the bot and the services, built once at start-up."""

    renderer: Renderer
    on_undeliverable: Mapping[str, UndeliverableHook] = field(default_factory=dict)
    # What happened to rows already sent (or refused) while the database could not record it:
    # kept in this process and recorded first at the next run, so a sent message is marked sent
    # rather than claimed again, and its chat's later rows are not held behind it.
    unrecorded: list[Callable[[Session], None]] = field(default_factory=list)


async def _record(services: Services, delivery: Delivery, work: Callable[[Session], None]) -> None:
    """Record a delivery's outcome; if the database is out of reach, keep it for the next run."""
    try:
        await services.db.run(work)
    except Exception:
        delivery.unrecorded.append(work)
        raise


async def _record_kept(services: Services, delivery: Delivery) -> None:
    """Record the outcomes kept while the database was out of reach, oldest first."""
    while delivery.unrecorded:
        await services.db.run(delivery.unrecorded[0])
        delivery.unrecorded.pop(0)


class Outcome(Enum):
    """How one row's delivery ended in this run."""

    SENT = "sent"
    GIVEN_UP = "given up"  # failed or undeliverable, recorded as such
    LATER = "later"  # to be tried again at not_before; its chat waits until then


def _claim(now: datetime, limit: int, skip_chats: set[int]) -> Callable[[Session], list[Claimed]]:
    return lambda session: outbox.claim_due(
        session=session, now=now, limit=limit, skip_chats=skip_chats
    )


async def deliver_due(
    bot: Any, services: Services, delivery: Delivery, limit: int = 50, budget: float = 10.0
) -> int:
    """Send due outbox rows, chats side by side and each chat's rows in order; return how many.

    A claim takes only the first row of each chat, and each row is sent in a task of its own
    while the rate limiter paces its chat: a chat that is backing off after a 429 (or has a long
    message in many parts going out one a second) holds up only its own rows. Up to `limit`
    rows are in flight; more are claimed when half of them are done, until the budget is spent.
    """
    await _record_kept(services, delivery)
    started = time.monotonic()
    lanes: dict[asyncio.Task[Outcome], int] = {}
    later: set[int] = set()  # chats rescheduled in this run: their next rows wait for it too
    failure: Exception | None = None
    claiming, sent = True, 0
    try:
        while True:
            if claiming and len(lanes) <= limit // 2:  # refill in batches, not a claim per send
                try:
                    claim = _claim(services.clock(), limit - len(lanes), later)
                    rows = await services.db.run(claim)
                except Exception as error:  # let the rows in flight finish, then report it
                    failure, claiming, rows = error, False, []
                for row in rows:
                    task = asyncio.create_task(_deliver_one(bot, services, delivery, row))
                    lanes[task] = row.chat_id
            if not lanes:
                break
            done, _ = await asyncio.wait(lanes, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                chat_id = lanes.pop(task)
                try:
                    outcome = task.result()
                except Exception as error:  # a database error: stop claiming, finish the rest
                    failure, claiming = failure or error, False
                    continue
                if outcome is Outcome.SENT:
                    sent += 1
                elif outcome is Outcome.LATER:
                    later.add(chat_id)
            if time.monotonic() - started > budget:
                claiming = False
    finally:
        for task in lanes:  # only when this job itself is cancelled (shutdown)
            task.cancel()
    if failure is not None:
        raise failure
    return sent


def _render(delivery: Delivery, row: Claimed) -> tuple[list[Reply], int, str | None]:
    """The row's message in parts, how many of them went out already, and their locale."""
    stored = read_payload(row.payload)
    # Once some parts went out, the rest go in the same language even if it changed since.
    locale = stored.locale if stored.sent_parts else row.locale
    return delivery.renderer.render(stored.content, locale).parts(), stored.sent_parts, locale


async def _deliver_one(bot: Any, services: Services, delivery: Delivery, row: Claimed) -> Outcome:
    """Send a row's message, part after part from where a previous attempt stopped."""
    clock, row_id, hooks = services.clock, row.id, delivery.on_undeliverable
    record = partial(_record, services, delivery)
    if not row.active:
        # Revoked since it was queued: they get nothing, and what it was for moves on as when
        # a recipient blocked the bot (an escalation nobody else at its level gets goes up).
        await record(lambda s: _give_up(s, row_id, REVOKED, False, clock(), hooks))
        return Outcome.GIVEN_UP
    try:
        if delivery.renderer.is_slow(row.payload):  # a chart: drawn off the event loop
            parts, first, locale = await asyncio.to_thread(_render, delivery, row)
        else:
            parts, first, locale = _render(delivery, row)
    except Exception as error:  # a payload no renderer can read must not block the rows behind it
        log.error("outbox row %s could not be rendered: %s", row_id, stack_without_messages(error))
        await record(lambda s: _give_up(s, row_id, "render", True, clock(), hooks))
        return Outcome.GIVEN_UP
    payload, message_id = row.payload, 0
    for number in range(first, len(parts)):
        sent = await _send_part(bot, services, delivery, row, parts[number])
        if isinstance(sent, Outcome):  # not sent: a later part never goes before this one
            return sent
        message_id = sent
        if number + 1 < len(parts):
            # Recorded before the next part goes, so no part is sent twice by a retry.
            payload = with_progress(payload, sent_parts=number + 1, locale=locale)
            await record(
                partial(
                    _record_part,
                    outbox_id=row_id,
                    payload=payload,
                    telegram_message_id=message_id,
                ),
            )
    await record(
        lambda s: outbox_queries.mark_sent(
            session=s, outbox_id=row_id, telegram_message_id=message_id, now=clock()
        ),
    )
    metrics.outbox_sent()
    return Outcome.SENT


async def _send_part(
    bot: Any,
    services: Services,
    delivery: Delivery,
    row: Claimed,
    message: Reply,
) -> int | Outcome:
    """Send one message; return its id, or after recording when to try again (or not), why not."""
    clock, row_id, hooks = services.clock, row.id, delivery.on_undeliverable
    record = partial(_record, services, delivery)
    try:
        if message.photo is not None:
            result = await bot.send_photo(
                row.chat_id,
                message.photo,
                caption=message.text or None,
                reply_markup=markup(message.buttons),
                rate_limit_args=BULK_RETRIES,
            )
        else:
            result = await bot.send_message(
                row.chat_id,
                message.text,
                reply_markup=markup(message.buttons),
                rate_limit_args=BULK_RETRIES,
            )
    except RetryAfter as error:
        not_before = clock() + timedelta(seconds=retry_after_seconds(error))
        await record(partial(_retry_later, row=row, not_before=not_before, error="429"))
        return Outcome.LATER
    except Forbidden as error:
        reason = str(error)
        await record(lambda s: _give_up(s, row_id, reason, False, clock(), hooks))
        return Outcome.GIVEN_UP
    except BadRequest as error:
        log.error("outbox row %s refused by Telegram: %s", row_id, type(error).__name__)
        reason = str(error)
        await record(lambda s: _give_up(s, row_id, reason, True, clock(), hooks))
        return Outcome.GIVEN_UP
    except (TimedOut, NetworkError) as error:
        not_before, reason = clock() + outbox.backoff(row.attempts), type(error).__name__
        await record(partial(_retry_later, row=row, not_before=not_before, error=reason))
        return Outcome.LATER
    return int(result.message_id)


def _retry_later(session: Session, *, row: Claimed, not_before: datetime, error: str) -> None:
    """Try the row again at not_before, and hold its chat's other rows until then (in order)."""
    outbox_queries.mark_retry(session=session, outbox_id=row.id, not_before=not_before, error=error)
    outbox_queries.defer_chat(session=session, chat_id=row.chat_id, not_before=not_before)


def _record_part(
    session: Session, *, outbox_id: int, payload: str, telegram_message_id: int
) -> None:
    outbox_queries.record_part_sent(
        session=session,
        outbox_id=outbox_id,
        payload=payload,
        telegram_message_id=telegram_message_id,
    )


def _give_up(
    session: Session,
    outbox_id: int,
    error: str,
    permanent: bool,
    now: datetime,
    hooks: Mapping[str, UndeliverableHook],
) -> None:
    row = outbox.mark_undeliverable(
        session=session, outbox_id=outbox_id, error=error, permanent_failure=permanent
    )
    metrics.outbox_gave_up(permanent=permanent)
    if row is None or permanent:
        return
    hook = hooks.get(row.event.split(":", 1)[0])
    if hook is not None:
        hook(session, row, now)
