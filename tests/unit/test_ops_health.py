"""/healthz and /metrics served by the ops server over a real database: what an operator sees."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlmodel import Session, select

from bot.app import build_services
from bot.notify import outbox
from bot.people.access import Caller
from bot.reply import Reply
from bot.services import Services
from bot.settings import Settings
from bot.telegram.inbox import chat_key
from storage import inbox_queries
from storage.db import Database
from storage.inbox_queries import ReceivedUpdate
from storage.outbox_models import OutboxMessage, SweepRun
from storage.recipient_queries import recipient_by_id
from storage.visit_models import Escalation
from tests.support.children import file_child
from tests.support.clock import FakeClock
from tests.support.seed import VILLAGE, enrol_caller, seed_region

# The fake clock's start: 2026-11-02 09:00 in Shanghai, the reminder time.
START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def get(services: Services, path: str) -> tuple[int, Any]:
    """Serve the ops routes on a free port and GET `path`: the status and the JSON or text."""
    from bot.ops.server import OpsServer, build_ops_app

    async def fetch() -> tuple[int, Any]:
        server = await OpsServer(build_ops_app(services), "127.0.0.1", 0).start()
        try:
            async with (
                aiohttp.ClientSession() as client,
                client.get(f"http://127.0.0.1:{server.port}{path}") as response,
            ):
                if response.content_type == "application/json":
                    return response.status, await response.json()
                return response.status, await response.text()
        finally:
            await server.stop()

    return asyncio.run(fetch())


@pytest.fixture
def services(make_settings: Callable[..., Settings], clock: FakeClock, db: Database) -> Services:
    seed_region(db)
    built = build_services(make_settings(), clock=clock)
    yield built  # type: ignore[misc]
    built.db.dispose()


def test_healthz__quiet_deployment__200_with_every_field(services: Services) -> None:
    status, body = get(services, "/healthz")
    assert status == 200
    assert body["status"] == "ok" and body["problems"] == []
    assert body["database"]["reachable"] is True
    assert isinstance(body["database"]["latency_ms"], float)
    assert body["inbox"] == {"pending": 0, "oldest_age_seconds": None}
    assert body["outbox"] == {
        "pending": 0,
        "sending": 0,
        "oldest_due_age_seconds": None,
        "failed_last_hour": 0,
    }
    assert body["escalations"]["oldest_urgent_open_age_seconds"] is None
    assert body["sweep"] is None
    assert body["checked_at"] == START.isoformat()


def test_healthz__database_unreachable__503_and_metrics_say_down(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    # Nothing listens on port 1: the connection is refused at once, as when PostgreSQL is down.
    services = build_services(
        make_settings(database_url="postgresql://postgres@127.0.0.1:1/guanai"), clock=clock
    )
    try:
        status, body = get(services, "/healthz")
        metrics_status, metrics = get(services, "/metrics")
    finally:
        services.db.dispose()
    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["problems"] == ["database_unreachable"]
    assert body["database"] == {"reachable": False, "latency_ms": None}
    assert metrics_status == 200
    assert "guanai_database_up 0.0" in metrics
    assert "guanai_outbox_backlog" not in metrics  # no numbers it could not read


def test_healthz__urgent_escalation_unacknowledged_past_its_sla__shows_its_age(
    services: Services, clock: FakeClock
) -> None:
    db = services.db
    director: Caller = enrol_caller(db, "director", VILLAGE, 1001)
    child_id = file_child(
        db,
        director,
        name="张小明",
        tier="high",
        sequence="123",
        filed_on=START.date(),
        today=START.date(),
    )

    def raise_urgent(session: Session) -> None:
        session.add(
            Escalation(
                child_id=child_id,
                village_code=VILLAGE,
                urgent=True,
                reason="孩子独自在家，联系不上监护人",
                raised_by=director.staff_id,
                raised_at=START,
                due_by=START + timedelta(minutes=60),
            )
        )

    db.call(raise_urgent)
    clock.advance(timedelta(minutes=90))
    status, body = get(services, "/healthz")
    assert status == 200  # people are late, not the service: the ladder moves it on
    assert body["escalations"] == {
        "oldest_urgent_open_age_seconds": 5400.0,
        "oldest_urgent_open_overdue_seconds": 1800.0,
        "oldest_urgent_open_level": "township",
    }
    _, metrics = get(services, "/metrics")
    labels = 'level="township",state="open",urgency="urgent"'
    assert f"guanai_escalations{{{labels}}} 1.0" in metrics
    assert f"guanai_escalation_oldest_age_seconds{{{labels}}} 5400.0" in metrics


def test_healthz__outbox_message_waiting_20_minutes__503_outbox_backlog(
    services: Services, clock: FakeClock
) -> None:
    db = services.db
    supervisor: Caller = enrol_caller(db, "supervisor", "350121100", 2001)
    db.call(
        lambda s: outbox.enqueue(
            session=s,
            key="test:waiting",
            recipient=recipient_by_id(session=s, staff_id=supervisor.staff_id),
            message=Reply("请处理"),
            now=START,
        )
    )
    clock.advance(timedelta(minutes=20))
    status, body = get(services, "/healthz")
    assert status == 503
    assert body["problems"] == ["outbox_backlog"]
    assert body["outbox"]["pending"] == 1
    assert body["outbox"]["oldest_due_age_seconds"] == 1200.0


def test_healthz__updates_unprocessed_for_10_minutes__503_inbox_backlog(
    services: Services, clock: FakeClock
) -> None:
    from telegram import Update

    payload = {
        "update_id": 7,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 1001, "type": "private"},
            "text": "hello",
        },
    }
    update = Update.de_json(payload, None)
    received = [ReceivedUpdate(7, chat_key(update), update.to_json())]
    services.db.call(lambda s: inbox_queries.store_updates(session=s, updates=received, now=START))
    clock.advance(timedelta(minutes=4))
    assert get(services, "/healthz")[0] == 200  # a short wait is normal under load
    clock.advance(timedelta(minutes=6))
    status, body = get(services, "/healthz")
    assert status == 503
    assert body["problems"] == ["inbox_backlog"]
    assert body["inbox"] == {"pending": 1, "oldest_age_seconds": 600.0}


def test_healthz__no_sweep_two_hours_after_reminder_time__503_until_it_finished(
    services: Services, clock: FakeClock
) -> None:
    clock.advance(timedelta(hours=2, minutes=1))  # 11:01 in Shanghai, reminders at 09:00
    status, body = get(services, "/healthz")
    assert (status, body["problems"]) == (503, ["sweep_late"])

    def sweep_ran(session: Session) -> None:
        session.add(
            SweepRun(
                job="reminders",
                day=START.date(),
                started_at=START,
                finished_at=START + timedelta(minutes=3),
            )
        )

    services.db.call(sweep_ran)
    status, body = get(services, "/healthz")
    assert status == 200
    assert body["sweep"] == {
        "day": "2026-11-02",
        "finished": True,
        "started_at": START.isoformat(),
        "finished_at": (START + timedelta(minutes=3)).isoformat(),
    }


def test_livez__database_unreachable__still_200(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    services = build_services(
        make_settings(database_url="postgresql://postgres@127.0.0.1:1/guanai"), clock=clock
    )
    try:
        assert get(services, "/livez") == (200, {"status": "ok"})
    finally:
        services.db.dispose()


def test_healthz__message_given_up__counted_as_failed_for_an_hour(
    services: Services, clock: FakeClock
) -> None:
    db = services.db
    supervisor: Caller = enrol_caller(db, "supervisor", "350121100", 2001)

    def queue_and_give_up(session: Session) -> None:
        outbox.enqueue(
            session=session,
            key="test:blocked",
            recipient=recipient_by_id(session=session, staff_id=supervisor.staff_id),
            message=Reply("请处理"),
            now=START,
        )
        (row,) = session.exec(select(OutboxMessage)).all()
        assert row.id is not None
        outbox.mark_undeliverable(
            session=session, outbox_id=row.id, error="Forbidden", permanent_failure=False
        )

    db.call(queue_and_give_up)
    clock.advance(timedelta(minutes=30))
    status, body = get(services, "/healthz")
    assert status == 200  # a blocked recipient is not the service's failure
    assert body["outbox"]["failed_last_hour"] == 1 and body["outbox"]["pending"] == 0
    clock.advance(timedelta(minutes=31))
    assert get(services, "/healthz")[1]["outbox"]["failed_last_hour"] == 0
