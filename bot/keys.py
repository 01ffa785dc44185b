"""Key rotation and draft retention: long jobs done in short committed batches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from sqlmodel import Session

from storage import draft_queries
from storage.crypto import Keyring
from storage.db import Database
from storage.key_rotation import ENCRYPTED_COLUMNS, rotate_batch

ROTATION_BATCH = 200
RETENTION_BATCH = 500


def _rotate_one(session: Session, *, table: str, keyring: Keyring, size: int) -> int:
    return rotate_batch(session=session, table_name=table, keyring=keyring, size=size)


def rotate_keys(
    *,
    db: Database,
    keyring: Keyring,
    batch: int = ROTATION_BATCH,
    max_batches: int | None = None,
    on_batch: Callable[[str, int], None] | None = None,
) -> int:
    """Re-encrypt every personal value with the current key; return how many rows changed.

    Each batch commits on its own, so the rotation can stop anywhere and a rerun continues
    with the rows still under a previous key; the bot keeps reading both meanwhile.
    """
    total = done = 0
    for table in ENCRYPTED_COLUMNS:
        while max_batches is None or done < max_batches:
            count = db.call(partial(_rotate_one, table=table, keyring=keyring, size=batch))
            if not count:
                break
            done += 1
            total += count
            if on_batch is not None:
                on_batch(table, count)
    return total


def delete_old_drafts(*, db: Database, now: datetime, retention: timedelta) -> int:
    """Delete finished and discarded drafts older than the retention, a batch per transaction."""
    cutoff = now - retention
    total = 0
    while True:
        count = db.call(
            lambda s: draft_queries.delete_finished_drafts(
                session=s, updated_before=cutoff, limit=RETENTION_BATCH
            )
        )
        total += count
        if count < RETENTION_BATCH:
            return total
