"""The outbox sender: the only code that sends messages someone must receive."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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


def _retry_after_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _claim(now: datetime, limit: int) -> Callable[[Session], list[Claimed]]:
    return lambda session: outbox.claim_due(session=session, now=now, limit=limit)


async def deliver_due(
    bot: Any, services: Services, delivery: Delivery, limit: int = 50, budget: float = 10.0
) -> int:
    """Send due outbox rows, batch after batch while batches come full; return how many."""
    started = time.monotonic()
    sent = 0
    while True:
        rows = await services.db.run(_claim(services.clock(), limit))
        for row in rows:
            if await _deliver_one(bot, services, delivery, row):
                sent += 1
        # A full batch means more is waiting: keep going rather than wait for the next run.
        if len(rows) < limit or time.monotonic() - started > budget:
            return sent


def _render(delivery: Delivery, row: Claimed) -> tuple[list[Reply], int, str | None]:
    """The row's message in parts, how many of them went out already, and their locale."""
    stored = read_payload(row.payload)
    # Once some parts went out, the rest go in the same language even if it changed since.
    locale = stored.locale if stored.sent_parts else row.locale
    return delivery.renderer.render(stored.content, locale).parts(), stored.sent_parts, locale


async def _deliver_one(bot: Any, services: Services, delivery: Delivery, row: Claimed) -> bool:
    """Send a row's message, part after part from where a previous attempt stopped."""
    db, clock, row_id = services.db, services.clock, row.id
    hooks = delivery.on_undeliverable
    if not row.active:
        # Revoked since it was queued: they get nothing, and what it was for moves on as when
        # a recipient blocked the bot (an escalation nobody else at its level gets goes up).
        await db.run(lambda s: _give_up(s, row_id, REVOKED, False, clock(), hooks))
        return False
    try:
        parts, first, locale = _render(delivery, row)
    except Exception:  # a payload no renderer can read must not block the rows behind it
        log.exception("outbox row %s could not be rendered", row_id)
        await db.run(lambda s: _give_up(s, row_id, "render", True, clock(), hooks))
        return False
    payload, message_id = row.payload, 0
    for number in range(first, len(parts)):
        sent = await _send_part(bot, services, hooks, row, parts[number])
        if sent is None:
            return False
        message_id = sent
        if number + 1 < len(parts):
            # Recorded before the next part goes, so no part is sent twice by a retry.
            payload = with_progress(payload, sent_parts=number + 1, locale=locale)
            await db.run(
                partial(
                    _record_part,
                    outbox_id=row_id,
                    payload=payload,
                    telegram_message_id=message_id,
                )
            )
    await db.run(
        lambda s: outbox_queries.mark_sent(
            session=s, outbox_id=row_id, telegram_message_id=message_id, now=clock()
        )
    )
    metrics.outbox_sent()
    return True


async def _send_part(
    bot: Any,
    services: Services,
    hooks: Mapping[str, UndeliverableHook],
    row: Claimed,
    message: Reply,
) -> int | None:
    """Send one message; return its id, or None after recording when to try again (or not)."""
    db, clock, row_id = services.db, services.clock, row.id
    try:
        result = await bot.send_message(
            row.chat_id,
            message.text,
            reply_markup=markup(message.buttons),
            rate_limit_args=BULK_RETRIES,
        )
    except RetryAfter as error:
        not_before = clock() + timedelta(seconds=_retry_after_seconds(error))
        await db.run(
            lambda s: outbox_queries.mark_retry(
                session=s, outbox_id=row_id, not_before=not_before, error="429"
            )
        )
        return None
    except Forbidden as error:
        reason = str(error)
        await db.run(lambda s: _give_up(s, row_id, reason, False, clock(), hooks))
        return None
    except BadRequest as error:
        log.error("outbox row %s refused by Telegram: %s", row_id, type(error).__name__)
        reason = str(error)
        await db.run(lambda s: _give_up(s, row_id, reason, True, clock(), hooks))
        return None
    except (TimedOut, NetworkError) as error:
        not_before, reason = clock() + outbox.backoff(row.attempts), type(error).__name__
        await db.run(
            lambda s: outbox_queries.mark_retry(
                session=s, outbox_id=row_id, not_before=not_before, error=reason
            )
        )
        return None
    return int(result.message_id)


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
