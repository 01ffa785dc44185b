"""The outbox sender: the only code that sends messages someone must receive."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.notify import outbox
from bot.reply import Reply
from bot.telegram.keyboards import markup
from storage.outbox_models import OutboxMessage

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
BULK_RETRIES = 3  # passing rate-limit arguments marks a send as bulk for the limiter
# Called in the transaction that marks a row undeliverable, by the event's type (the text
# before the first colon), so the cause can move on: an escalation goes to the next level.
UndeliverableHook = Callable[[Session, Any, datetime], None]
UNDELIVERABLE_HOOKS: dict[str, UndeliverableHook] = {}


def _retry_after_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _claim(now: datetime, limit: int) -> Callable[[Session], Sequence[OutboxMessage]]:
    return lambda session: outbox.claim_due(session=session, now=now, limit=limit)


async def deliver_due(bot: Any, services: Services, limit: int = 50, budget: float = 10.0) -> int:
    """Send due outbox rows, batch after batch while batches come full; return how many."""
    started = time.monotonic()
    sent = 0
    while True:
        rows = await services.db.run(_claim(services.clock(), limit))
        for row in rows:
            assert row.id is not None
            if await _deliver_one(bot, services, row.id, row.chat_id, row.payload, row.attempts):
                sent += 1
        # A full batch means more is waiting: keep going rather than wait for the next run.
        if len(rows) < limit or time.monotonic() - started > budget:
            return sent


async def _deliver_one(
    bot: Any, services: Services, row_id: int, chat_id: int, payload: str, attempts: int
) -> bool:
    message = Reply.from_json(payload)
    db, clock = services.db, services.clock
    try:
        result = await bot.send_message(
            chat_id,
            message.text,
            reply_markup=markup(message.buttons),
            rate_limit_args=BULK_RETRIES,
        )
    except RetryAfter as error:
        not_before = clock() + timedelta(seconds=_retry_after_seconds(error))
        await db.run(
            lambda s: outbox.mark_retry(
                session=s, outbox_id=row_id, not_before=not_before, error="429"
            )
        )
        return False
    except Forbidden as error:
        reason = str(error)
        await db.run(lambda s: _give_up(s, row_id, reason, False, clock()))
        return False
    except BadRequest as error:
        log.error("outbox row %s refused by Telegram: %s", row_id, type(error).__name__)
        reason = str(error)
        await db.run(lambda s: _give_up(s, row_id, reason, True, clock()))
        return False
    except (TimedOut, NetworkError) as error:
        not_before, reason = clock() + outbox.backoff(attempts), type(error).__name__
        await db.run(
            lambda s: outbox.mark_retry(
                session=s, outbox_id=row_id, not_before=not_before, error=reason
            )
        )
        return False
    message_id = result.message_id
    await db.run(
        lambda s: outbox.mark_sent(
            session=s, outbox_id=row_id, telegram_message_id=message_id, now=clock()
        )
    )
    return True


def _give_up(session: Session, outbox_id: int, error: str, permanent: bool, now: datetime) -> None:
    row = outbox.mark_undeliverable(
        session=session, outbox_id=outbox_id, error=error, permanent_failure=permanent
    )
    if row is None or permanent:
        return
    hook = UNDELIVERABLE_HOOKS.get(row.event.split(":", 1)[0])
    if hook is not None:
        hook(session, row, now)
