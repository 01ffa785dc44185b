"""The database out of reach across the reminder time and an escalation's deadline: once it is
back, the day's digests are queued, the overdue report moves up, and the outbox sends."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot import jobs
from bot.care.escalations import EscalationPolicy, Report, raise_escalation
from bot.people.access import identify
from bot.settings import Settings
from storage.child_models import Child
from storage.db import Database
from storage.outbox_models import OutboxMessage
from storage.visit_models import EscalationEvent
from tests.e2e.test_chat_foundation import enrol
from tests.fakegram import FakeTelegram
from tests.support.botrunner import BotThread
from tests.support.children import file_child
from tests.support.clock import FakeClock
from tests.support.database import POSTGRES_URL, using_postgres
from tests.support.seed import COUNTY, TOWNSHIP
from tests.support.tcpproxy import TcpProxy

START = datetime(2026, 11, 26, 0, 59, 40, tzinfo=UTC)  # 08:59:40 in Shanghai
POLICY = EscalationPolicy()


def prepare(fake: FakeTelegram, region: Database) -> Any:
    """Enrol a director and a supervisor, file a child due a visit, raise a report due in 10 s;
    return the director."""
    director, _ = enrol(fake, region, now=START)
    supervisor, _ = enrol(fake, region, 2001, "supervisor", TOWNSHIP, now=START)
    enrol(fake, region, 3001, "admin", COUNTY, now=START)  # where the report goes after the SLA
    caller = region.call(lambda s: identify(session=s, telegram_user_id=1001)).caller
    assert caller is not None
    file_child(
        region,
        caller,
        name="高小红",
        tier="high",
        sequence="115",
        filed_on=date(2026, 6, 1),
        today=date(2026, 10, 5),
    )

    def raise_one(session: Any) -> None:
        child = session.exec(select(Child)).one()
        raise_escalation(
            session=session,
            child=child,
            raised_by=caller.staff_id,
            urgent=True,
            reason="test",
            report=Report(note="test"),
            now=START - POLICY.urgent_sla + timedelta(seconds=10),  # due in 10 s
            policy=POLICY,
        )

    region.call(raise_one)
    supervisor.wait_for_text("小红", timeout=20)

    return director


def test_database_down_across_reminder_time_and_sla__all_caught_up_within_a_minute(
    fake: FakeTelegram,
    region: Database,
    bot_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ticks of a second, so the test need not wait for the production 30 s to come round.
    monkeypatch.setattr(jobs, "REMINDER_TICK", timedelta(seconds=1))
    monkeypatch.setattr(jobs, "ESCALATION_TICK", timedelta(seconds=1))
    clock = FakeClock(START)
    bot = BotThread(bot_settings, clock=clock).start()
    try:
        director = prepare(fake, region)

        services = bot.application.bot_data["services"]
        failures = 0

        def unreachable(*_args: Any, **_kwargs: Any) -> Any:
            nonlocal failures
            failures += 1
            raise OperationalError("SELECT", {}, ConnectionRefusedError("connection refused"))

        monkeypatch.setattr(services.db, "call", unreachable)
        monkeypatch.setattr(services.db, "read", unreachable)
        clock.advance(timedelta(seconds=40))  # 09:00:20: the reminder time and the SLA pass
        time.sleep(3)
        assert failures >= 3  # the jobs ran, and failed, while it was down
        queued_before = region.call(lambda s: s.exec(select(OutboxMessage.key)).all())
        assert not any(key.startswith("remind:") for key in queued_before)

        monkeypatch.undo()  # the database is back
        back = time.monotonic()
        digest = director.wait_for_text("走访提醒", timeout=60)
        assert "高小红" in digest.text
        assert time.monotonic() - back < 60
        moved = region.call(
            lambda s: s.exec(
                select(EscalationEvent).where(EscalationEvent.action == "to_county")
            ).all()
        )
        assert len(moved) == 1
    finally:
        bot.stop()


@pytest.mark.skipif(not using_postgres(), reason="a real PostgreSQL server behind a TCP proxy")
def test_postgres_cut_off_across_reminder_time__digest_and_escalation_caught_up(
    fake: FakeTelegram,
    region: Database,
    make_settings: Callable[..., Settings],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(jobs, "REMINDER_TICK", timedelta(seconds=1))
    monkeypatch.setattr(jobs, "ESCALATION_TICK", timedelta(seconds=1))
    url = make_url(POSTGRES_URL)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = make_settings(telegram_api_url=fake.api_url, database_url=through_proxy)
    clock = FakeClock(START)
    bot = BotThread(settings, clock=clock).start()
    try:
        director = prepare(fake, region)
        proxy.cut()  # the server is unreachable: pooled connections dropped, new ones refused
        clock.advance(timedelta(seconds=40))
        with caplog.at_level(logging.ERROR, logger="bot.jobs"):
            time.sleep(4)
        assert any("reminder sweep failed" in r.getMessage() for r in caplog.records)
        keys = region.call(lambda s: s.exec(select(OutboxMessage.key)).all())
        assert not any(key.startswith("remind:") for key in keys)

        proxy.restore()
        back = time.monotonic()
        director.wait_for_text("走访提醒", timeout=60)
        assert time.monotonic() - back < 60
        moved = region.call(
            lambda s: s.exec(
                select(EscalationEvent).where(EscalationEvent.action == "to_county")
            ).all()
        )
        assert len(moved) == 1
    finally:
        bot.stop()
        proxy.stop()
