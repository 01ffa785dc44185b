"""Refusals: tell the user, and log the attempt in a transaction of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update

from bot.audit import Actor, record_denied
from bot.errors import AccessDenied, UserError
from bot.telegram.context import BotContext
from handlers.replies import say


@asynccontextmanager
async def refused(update: Update, context: BotContext) -> AsyncIterator[None]:
    """Turn a refused action into a translated reply (and an audit row when access was denied)."""
    try:
        yield
    except AccessDenied as denied:
        caller, table, record_id = context.caller, denied.table, denied.record_id
        if caller is not None:
            services = context.services
            await services.db.run(
                lambda s: record_denied(
                    session=s,
                    actor=Actor.staff(caller.staff_id),
                    table=table,
                    record_id=record_id,
                    at=services.clock(),
                )
            )
        await say(update, context, denied.render(context.translate))
    except UserError as error:
        await say(update, context, error.render(context.translate))
