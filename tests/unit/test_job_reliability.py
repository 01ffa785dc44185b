"""Periodic jobs when people lose access, when two processes run them, and when a sweep dies
half-way: nothing is sent to the revoked, nothing moves twice, no digest is lost or doubled."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from bot.audit import Actor
from bot.care import escalations
from bot.care.escalations import EscalationPolicy, Report, move_overdue, raise_escalation
from bot.i18n import I18n, default_i18n
from bot.notify.render import Renderer
from bot.people.access import Caller
from bot.people.enrollment import ThrottlePolicy
from bot.people.staff import revoke_staff
from bot.reminders import sweep as reminders
from bot.reminders.sweep import sweep_in_chunks
from bot.services import Services
from bot.telegram.sender import Delivery, deliver_due
from storage.child_models import Child
from storage.db import Database
from storage.outbox_models import OutboxMessage, SweepRun
from storage.visit_models import EscalationEvent
from tests.support.children import file_child
from tests.support.seed import COUNTY, TOWNSHIP, VILLAGE, enrol_caller, seed_region
from tests.unit.test_outbox_sender import ScriptedBot

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUIET = (time(21, 0), time(8, 0))
DAY = date(2026, 11, 26)
EVENING = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai: quiet hours
NEXT_MORNING = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
POLICY = EscalationPolicy()


@pytest.fixture
def village(db: Database) -> dict[str, Caller]:
    seed_region(db)
    people = {
        "director": enrol_caller(db, "director", VILLAGE, 1001),
        "supervisor": enrol_caller(db, "supervisor", TOWNSHIP, 2001),
        "admin": enrol_caller(db, "admin", COUNTY, 3001),
    }
    for number in range(5):
        file_child(
            db,
            people["director"],
            name=f"高小{'一二三四五'[number]}",
            tier="high",
            sequence=f"1{number}1",
            filed_on=date(2026, 10, 5),
            today=date(2026, 10, 5),
        )
    return people


def services(db: Database, now: datetime) -> Services:
    from bot.settings import Settings

    settings = Settings(_env_file=None, telegram_bot_token="1:x", database_url=db.url)  # type: ignore[call-arg]
    return Services(
        settings=settings,
        db=db,
        i18n=I18n(),
        clock=lambda: now,
        throttle=ThrottlePolicy(),
        escalation=POLICY,
    )


def send_due(db: Database, now: datetime, bot: ScriptedBot) -> int:
    hooks = {
        "escalation": lambda s, row, at: escalations.on_undeliverable(
            session=s, row=row, now=at, policy=POLICY
        )
    }
    delivery = Delivery(renderer=Renderer(default_i18n()), on_undeliverable=hooks)
    return asyncio.run(deliver_due(bot, services(db, now), delivery))


def revoke(db: Database, caller: Caller, now: datetime) -> None:
    db.call(lambda s: revoke_staff(session=s, staff_id=caller.staff_id, actor=Actor.cli(), now=now))


def raise_all(db: Database, director: Caller, now: datetime) -> None:
    def work(session: Session) -> None:
        for child in session.exec(select(Child).order_by(col(Child.id))).all():
            raise_escalation(
                session=session,
                child=child,
                raised_by=director.staff_id,
                urgent=True,
                reason="test",
                report=Report(note="test"),
                now=now,
                policy=POLICY,
            )

    db.call(work)


def events(db: Database, action: str) -> list[EscalationEvent]:
    return list(
        db.call(
            lambda s: s.exec(select(EscalationEvent).where(EscalationEvent.action == action)).all()
        )
    )


def outbox(db: Database) -> list[OutboxMessage]:
    return list(
        db.call(lambda s: s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())
    )


def test_director_revoked_after_digest_queued_in_quiet_hours__gets_nothing(
    db: Database, village: dict[str, Caller]
) -> None:
    result = sweep_in_chunks(db=db, today=DAY, now=EVENING, tz=SHANGHAI, quiet=QUIET)
    assert result.ran and result.count == 1
    revoke(db, village["director"], EVENING + timedelta(minutes=5))
    bot = ScriptedBot()

    assert send_due(db, NEXT_MORNING, bot) == 0

    assert bot.sent == []
    [row] = outbox(db)
    assert (row.state, row.last_error) == ("undeliverable", "revoked")


def test_supervisor_revoked_after_escalation_queued__it_goes_up_to_the_county(
    db: Database, village: dict[str, Caller]
) -> None:
    raise_all(db, village["director"], EVENING)
    revoke(db, village["supervisor"], EVENING + timedelta(minutes=1))
    bot = ScriptedBot()

    send_due(db, EVENING + timedelta(minutes=2), bot)

    assert len(events(db, "to_county")) == 5
    township = [r for r in outbox(db) if r.event.endswith(":township")]
    assert {(r.state, r.last_error) for r in township} == {("undeliverable", "revoked")}
    county_chat = 3001
    assert [s.chat_id for s in bot.sent].count(2001) == 0
    send_due(db, EVENING + timedelta(minutes=3), bot)
    assert [s.chat_id for s in bot.sent].count(county_chat) == 5


def test_two_processes_check_the_sla_at_once__each_escalation_moves_once(
    db: Database, village: dict[str, Caller], database_url: str
) -> None:
    raise_all(db, village["director"], EVENING)
    late = EVENING + POLICY.urgent_sla + timedelta(minutes=1)
    first_holds, release = threading.Event(), threading.Event()
    moved: dict[str, int] = {}

    def first(session: Session) -> int:
        count = move_overdue(session=session, now=late, policy=POLICY)
        first_holds.set()
        release.wait(10)  # still uncommitted while the second process checks
        return count

    def run(name: str, work: object) -> None:
        other = Database(database_url)
        try:
            moved[name] = other.call(work)  # type: ignore[arg-type]
        finally:
            other.dispose()

    one = threading.Thread(target=run, args=("first", first))
    one.start()
    assert first_holds.wait(10)
    second_work = lambda s: move_overdue(session=s, now=late, policy=POLICY)  # noqa: E731
    two = threading.Thread(target=run, args=("second", second_work))
    two.start()
    two.join(0.5)  # PostgreSQL: skips the locked rows at once; SQLite: waits for the lock
    release.set()
    one.join(10)
    two.join(10)

    assert moved == {"first": 5, "second": 0}
    assert len(events(db, "to_county")) == 5
    assert db.call(lambda s: move_overdue(session=s, now=late, policy=POLICY)) == 0


def test_sweep_dies_after_its_first_batch__rerun_queues_the_rest_once(
    db: Database, village: dict[str, Caller], monkeypatch: pytest.MonkeyPatch
) -> None:
    for user, org in [(1002, VILLAGE), (1003, VILLAGE), (1004, VILLAGE)]:
        enrol_caller(db, "director", org, user)
    monkeypatch.setattr(reminders, "OUTBOX_BATCH", 2)
    real_enqueue = reminders.enqueue_many
    batches = 0

    def dies_at_the_second_batch(**kwargs: object) -> int:
        nonlocal batches
        batches += 1
        if batches == 2:
            raise SystemExit("killed")  # the process dies: the first batch is committed
        return real_enqueue(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reminders, "enqueue_many", dies_at_the_second_batch)
    morning = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    with pytest.raises(SystemExit):
        sweep_in_chunks(db=db, today=DAY, now=morning, tz=SHANGHAI, quiet=QUIET)
    assert len(outbox(db)) == 2
    monkeypatch.setattr(reminders, "enqueue_many", real_enqueue)

    # While the dead run's lease lasts, nobody else starts the day; then the next run does.
    soon = morning + timedelta(seconds=30)
    assert not sweep_in_chunks(db=db, today=DAY, now=soon, tz=SHANGHAI, quiet=QUIET).ran
    later = morning + reminders.LEASE + timedelta(seconds=1)
    assert sweep_in_chunks(db=db, today=DAY, now=later, tz=SHANGHAI, quiet=QUIET).ran

    keys = [row.key for row in outbox(db)]
    assert len(keys) == len(set(keys)) == 4  # each of the four directors once
    run = db.call(lambda s: s.exec(select(SweepRun)).one())
    assert run.finished_at is not None
    assert not sweep_in_chunks(db=db, today=DAY, now=later, tz=SHANGHAI, quiet=QUIET).ran
