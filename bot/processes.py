"""Run one process's role: take updates (long polling or the webhook), run the jobs, or both.

"all" takes updates and runs the jobs (scheduled at start-up); "web" takes updates by webhook
only, so several can run behind a load balancer; "worker" runs the jobs while it holds the
worker lock (`bot.leader`), so any number may wait to take over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from telegram.ext import Application

from bot.services import Services
from bot.telegram.inbox import POLL_TIMEOUT, Inbox
from storage import outbox_queries

log = logging.getLogger(__name__)


def run_role(application: Application[Any, Any, Any, Any, Any, Any], *, role: str = "all") -> None:
    """Start the application and run its role (updates, jobs or both) until SIGINT or SIGTERM."""
    asyncio.run(serve(application, role=role))


async def serve(
    application: Application[Any, Any, Any, Any, Any, Any],
    stop: asyncio.Event | None = None,
    *,
    poll_timeout: int = POLL_TIMEOUT,
    role: str = "all",
) -> None:
    """Initialise and start the application, run its role until stopped, then shut down.

    "all" takes updates (long polling, or the webhook when WEBHOOK_URL is set) and runs the
    jobs (scheduled at start-up); "web" takes updates by webhook only; "worker" runs the jobs
    while it holds the worker lock.
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    application.bot_data["role"] = role
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        try:
            if role == "worker":
                await _work_jobs(application, stop)
            else:
                await _take_updates(application, stop, poll_timeout=poll_timeout)
        finally:
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


async def _take_updates(
    application: Application[Any, Any, Any, Any, Any, Any],
    stop: asyncio.Event,
    *,
    poll_timeout: int,
) -> None:
    """Run the inbox, fed by long polling or by the webhook receiver."""
    from bot.telegram.webhook import WebhookReceiver

    services: Services = application.bot_data["services"]
    settings = services.settings
    # Several processes may take updates on PostgreSQL: chats then run under their locks.
    leased = settings.uses_webhook and services.db.dialect == "postgresql"
    inbox = Inbox(application, poll_timeout=poll_timeout, leased=leased)
    if not settings.uses_webhook:
        await inbox.run(stop)
        return
    receiver = WebhookReceiver(inbox, settings)
    await receiver.start()
    running = asyncio.create_task(inbox.run(stop, poll=False), name="inbox")
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        await receiver.stop()  # no new updates, then the inbox finishes what it runs
        stop.set()
        await running


def _log_release(task: asyncio.Task[int]) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.warning("could not release the last worker's claims (%s)", type(error).__name__)
    elif task.result():
        log.info("took up %d messages the last worker was sending", task.result())


async def _work_jobs(
    application: Application[Any, Any, Any, Any, Any, Any], stop: asyncio.Event
) -> None:
    """Run the repeating jobs while this worker holds the worker lock."""
    from bot.app import schedule_jobs
    from bot.leader import WorkerLock, lead

    services: Services = application.bot_data["services"]

    def start_work() -> None:
        # The worker that held the lock is gone: rows it was sending are taken up at once
        # rather than after their lease (at most one of them may go out a second time).
        release = services.db.run(lambda s: outbox_queries.release_claims(session=s))
        released = asyncio.get_running_loop().create_task(release)
        released.add_done_callback(_log_release)
        schedule_jobs(application, services)

    def stop_work() -> None:
        assert application.job_queue is not None
        for job in application.job_queue.jobs():
            job.schedule_removal()

    await lead(WorkerLock(services.db.url), stop, start_work=start_work, stop_work=stop_work)
