"""Wiring: one bootstrap that builds the python-telegram-bot Application with its services."""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.app_meta import BOT_USERNAME_KEY
from bot.care.escalations import EscalationPolicy
from bot.clock import Clock, system_clock
from bot.i18n import I18n
from bot.ops.server import start_ops_server, stop_ops_server
from bot.people.enrollment import ThrottlePolicy
from bot.services import Services
from bot.settings import Settings, SettingsError
from bot.telegram.botapi import GuanaiBot
from bot.telegram.commands import register_commands
from bot.telegram.context import BotContext
from bot.telegram.ratelimit import FloodLimiter
from bot.telegram.transport import AiohttpRequest
from bot.telegram.updates import PerChatUpdateProcessor
from storage import crypto, migrate, queries
from storage.db import Database

log = logging.getLogger(__name__)


async def _on_startup(application: Application) -> None:
    services: Services = application.bot_data["services"]
    await start_ops_server(application)  # /healthz and /metrics, when OPS_LISTEN is set
    me = await application.bot.get_me()
    await services.db.run(
        lambda s: queries.set_meta(session=s, key=BOT_USERNAME_KEY, value=me.username or "")
    )
    await register_commands(application, services)
    # "web" runs no jobs; a "worker" schedules them once it holds the worker lock.
    if application.bot_data.get("role", "all") == "all":
        schedule_jobs(application, services)
    log.info("bot started as @%s", me.username)


def schedule_jobs(application: Application, services: Services) -> None:
    """Build the repeating jobs from code and the database; nothing depends on pickled jobs."""
    from bot.care import escalations
    from bot.jobs import (
        ESCALATION_TICK,
        REMINDER_TICK,
        deliver_outbox,
        move_overdue_escalations,
        send_reminders,
    )
    from bot.notify.render import Renderer
    from bot.telegram.sender import Delivery

    policy = services.escalation
    delivery = Delivery(
        renderer=Renderer(services.i18n),
        # A row nobody can receive moves its cause on: an escalation goes up the ladder.
        on_undeliverable={
            "escalation": lambda session, row, now: escalations.on_undeliverable(
                session=session, row=row, now=now, policy=policy
            )
        },
    )
    job_queue = application.job_queue
    assert job_queue is not None, "install python-telegram-bot[job-queue]"
    job_queue.run_repeating(
        deliver_outbox,
        interval=services.settings.outbox_poll_seconds,
        first=0,
        name="outbox",
        data=delivery,
    )
    job_queue.run_repeating(
        move_overdue_escalations,
        interval=ESCALATION_TICK.total_seconds(),
        first=1,
        name="escalations",
    )
    # Not once a day at the reminder time but every tick: each asks the database whether the
    # day's sweep is due, so an outage (or a bot that was down) delays it and never skips it.
    job_queue.run_repeating(
        send_reminders, interval=REMINDER_TICK.total_seconds(), first=1, name="reminders"
    )
    from bot.jobs import ROLLUP_TICK, send_monthly_rollups

    job_queue.run_repeating(
        send_monthly_rollups, interval=ROLLUP_TICK.total_seconds(), first=2, name="stats_rollup"
    )
    from bot.jobs import DRAFT_RETENTION_TICK, delete_old_drafts

    job_queue.run_repeating(
        delete_old_drafts,
        interval=DRAFT_RETENTION_TICK.total_seconds(),
        first=5,
        name="draft_retention",
    )


async def _on_shutdown(application: Application) -> None:
    services: Services = application.bot_data["services"]
    await stop_ops_server(application)
    services.db.dispose()


def build_bot(settings: Settings) -> GuanaiBot:
    """Build the Bot API client: aiohttp, HTML by default, and Telegram's rate limit."""
    proxy = settings.telegram_proxy_url or None  # None: the environment's proxy, if any
    return GuanaiBot(
        token=settings.require_token(),
        base_url=settings.telegram_api_url,
        # Files users send (a ledger to import) are fetched from the same server's file path.
        base_file_url=settings.telegram_api_url.removesuffix("/bot") + "/file/bot",
        request=AiohttpRequest(connection_pool_size=64, proxy_url=proxy),
        get_updates_request=AiohttpRequest(connection_pool_size=1, proxy_url=proxy),
        defaults=Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.timezone),
        rate_limiter=FloodLimiter(limit=30, period=1.0, max_retries=3),
    )


def build_services(settings: Settings, *, clock: Clock = system_clock) -> Services:
    """Build every service once, from the settings; nothing downstream falls back to defaults."""
    # Refuses to start without a data key; the storage layer's encrypted columns use this one.
    crypto.use_keyring(settings.require_keyring())
    return Services(
        settings=settings,
        db=Database(settings.database_url),
        i18n=I18n(settings.bot_locale),
        clock=clock,
        throttle=ThrottlePolicy(
            attempts_allowed=settings.start_attempts_allowed,
            lockout=settings.start_lockout,
        ),
        escalation=EscalationPolicy.from_settings(settings),
    )


def build_application(services: Services) -> Application:
    """Build the Application with handlers around the services; the caller starts it."""
    from handlers import register_handlers

    application = (
        ApplicationBuilder()
        .bot(build_bot(services.settings))
        .concurrent_updates(PerChatUpdateProcessor())
        .context_types(ContextTypes(context=BotContext))
        .post_init(_on_startup)
        .post_shutdown(_on_shutdown)
        .build()
    )
    application.bot_data["services"] = services
    register_handlers(application)
    return application


def check_schema(settings: Settings) -> None:
    """Refuse to start on a database whose schema is not at the newest migration."""
    if not migrate.is_current(settings.database_url):
        raise SettingsError(
            "The database at DATABASE_URL is not up to date: run `python -m bot db upgrade` "
            "(make run does this for you)."
        )


ROLES = ("all", "web", "worker")


def check_role(settings: Settings, role: str) -> None:
    """Refuse a role this deployment cannot run, in one sentence naming what to change."""
    if role not in ROLES:
        raise SettingsError(f"Unknown role {role!r}: expected one of {', '.join(ROLES)}.")
    if role == "all":
        return
    if not settings.database_url.startswith(("postgresql", "postgres")):
        raise SettingsError(
            f"The {role} role needs PostgreSQL: with SQLite the bot runs as one process "
            "(`python -m bot run`, role all); set DATABASE_URL=postgresql://... to split it."
        )
    if role == "web" and not settings.uses_webhook:
        raise SettingsError(
            "The web role takes updates by webhook: set WEBHOOK_URL and WEBHOOK_SECRET "
            "(and register it with `python -m bot webhook set`)."
        )


def run_bot(settings: Settings, role: str = "all") -> None:
    """Run one role (updates, jobs or both) until interrupted."""
    from bot.processes import run_role

    check_role(settings, role)
    check_schema(settings)
    run_role(build_application(build_services(settings)), role=role)
