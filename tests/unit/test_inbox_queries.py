"""The inbox table: an update is stored once, read in order, marked done with its effects."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from storage import inbox_queries
from storage.db import AlreadyProcessed, Database, UpdateClaim, handling_update
from storage.inbox_models import APPLIED, DONE, FAILED, PENDING, InboxUpdate
from storage.inbox_queries import ReceivedUpdate
from storage.models import AppMeta

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def received(update_id: int, chat_id: int = 100) -> ReceivedUpdate:
    return ReceivedUpdate(update_id, chat_id, f'{{"update_id": {update_id}}}')


def store(db: Database, *updates: ReceivedUpdate) -> set[int]:
    return db.call(lambda s: inbox_queries.store_updates(session=s, updates=list(updates), now=NOW))


def states(db: Database) -> dict[int, str]:
    rows = db.call(lambda s: s.exec(select(InboxUpdate)).all())
    return {row.update_id: row.state for row in rows}


def write_meta(session: Session, value: str) -> None:
    session.merge(AppMeta(key="probe", value=value))


def meta(db: Database) -> str | None:
    row = db.call(lambda s: s.get(AppMeta, "probe"))
    return row.value if row else None


def test_store__same_update_twice__one_row_and_only_the_first_call_calls_it_new(
    db: Database,
) -> None:
    assert store(db, received(7), received(8)) == {7, 8}
    assert store(db, received(8), received(9)) == {9}
    assert states(db) == {7: PENDING, 8: PENDING, 9: PENDING}


def test_pending__two_chats_interleaved__oldest_first_so_each_chat_keeps_its_order(
    db: Database,
) -> None:
    store(db, received(12, chat_id=2), received(10, chat_id=1), received(11, chat_id=2))
    db.call(lambda s: inbox_queries.finish_updates(session=s, done=[10], failed=[]))
    pending = db.call(lambda s: inbox_queries.pending_updates(session=s))
    assert [(row.update_id, row.chat_id) for row in pending] == [(11, 2), (12, 2)]


def test_claim__handler_writes__row_applied_in_that_same_transaction(db: Database) -> None:
    store(db, received(20))
    claim = UpdateClaim(20)
    with handling_update(claim):
        db.call(lambda s: s.exec(select(AppMeta)).all())  # a read claims nothing
        assert not claim.claimed and states(db)[20] == PENDING
        db.call(lambda s: write_meta(s, "first"))
        assert claim.claimed
        db.call(lambda s: write_meta(s, "second"))  # a follow-up: plain transaction
    assert states(db)[20] == APPLIED and meta(db) == "second"


def test_applied__reply_maybe_lost__pending_again_at_start_until_finished(db: Database) -> None:
    store(db, received(24), received(25))
    claim = UpdateClaim(24)
    with handling_update(claim):
        db.call(lambda s: write_meta(s, "applied"))
    pending = db.call(lambda s: inbox_queries.pending_updates(session=s))
    assert [row.update_id for row in pending] == [24, 25]
    with handling_update(UpdateClaim(24)), pytest.raises(AlreadyProcessed):
        db.call(lambda s: write_meta(s, "again"))  # its writes cannot be made twice
    assert meta(db) == "applied"
    db.call(lambda s: inbox_queries.finish_updates(session=s, done=[24], failed=[]))
    assert states(db)[24] == DONE


def test_claim__write_rolled_back__row_stays_pending(db: Database) -> None:
    store(db, received(21))
    claim = UpdateClaim(21)

    def write_then_fail(session: Session) -> None:
        write_meta(session, "lost")
        session.flush()
        raise RuntimeError("handler bug after its write")

    with handling_update(claim), pytest.raises(RuntimeError):
        db.call(write_then_fail)
    assert not claim.claimed
    assert states(db)[21] == PENDING and meta(db) is None


def test_claim__update_already_done__second_try_rolls_back_its_writes(db: Database) -> None:
    store(db, received(22))
    with handling_update(UpdateClaim(22)):
        db.call(lambda s: write_meta(s, "once"))
    with handling_update(UpdateClaim(22)), pytest.raises(AlreadyProcessed):
        db.call(lambda s: write_meta(s, "twice"))  # e.g. a re-run after a late commit
    assert meta(db) == "once"


def test_claim__carried_into_worker_threads_of_run(db: Database) -> None:
    store(db, received(23))
    claim = UpdateClaim(23)

    async def handler() -> None:
        with handling_update(claim):
            await db.run(lambda s: write_meta(s, "from a thread"))

    asyncio.run(handler())
    assert claim.claimed and states(db)[23] == APPLIED


def test_finish__done_and_failed__failed_counts_attempts_and_keeps_the_error_name(
    db: Database,
) -> None:
    store(db, received(30), received(31))
    db.call(
        lambda s: inbox_queries.finish_updates(session=s, done=[30], failed=[(31, "ValueError")])
    )
    rows = {row.update_id: row for row in db.call(lambda s: s.exec(select(InboxUpdate)).all())}
    assert rows[30].state == DONE
    assert (rows[31].state, rows[31].attempts, rows[31].last_error) == (FAILED, 1, "ValueError")


def test_purge__finished_and_old__deleted_pending_kept(db: Database) -> None:
    store(db, received(40), received(41))
    db.call(lambda s: inbox_queries.finish_updates(session=s, done=[40], failed=[]))
    later = NOW + timedelta(days=8)
    gone = db.call(lambda s: inbox_queries.purge_finished(session=s, received_before=later))
    assert gone == 1 and states(db) == {41: PENDING}
