"""Re-encrypting personal data with the current key, a batch per transaction (keys rotate)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from storage.crypto import Keyring

# Every encrypted column, by table; child rows also get their ID's blind index recomputed.
ENCRYPTED_COLUMNS = {
    "child": ("id_number", "home_address", "helper_phone"),
    "guardian": ("id_number", "phone", "address"),
    "caregiver": ("phone", "address"),
    "form_session": ("state",),
    "inbox": ("payload",),
    "outbox": ("payload",),
}
ROW_KEY = {"inbox": "update_id"}  # the others are keyed by id


def _raw(name: str) -> sa.TableClause:
    """The table with its encrypted columns as plain text: the stored ciphertext itself."""
    columns: list[sa.ColumnClause[Any]] = [
        sa.column(ROW_KEY.get(name, "id"), sa.BigInteger),
        *(sa.column(c, sa.Text) for c in ENCRYPTED_COLUMNS[name]),
    ]
    if name == "child":
        columns.append(sa.column("id_number_hash", sa.String))
    return sa.table(name, *columns)


def rotate_batch(*, session: Session, table_name: str, keyring: Keyring, size: int) -> int:
    """Re-encrypt up to `size` rows not yet under the current key; return how many."""
    table = _raw(table_name)
    key = table.c[ROW_KEY.get(table_name, "id")]
    stale = sa.or_(
        *(
            sa.and_(table.c[c].is_not(None), sa.not_(table.c[c].like(keyring.prefix + "%")))
            for c in ENCRYPTED_COLUMNS[table_name]
        )
    )
    rows = session.execute(
        sa.select(table).where(stale).order_by(key).limit(size).with_for_update()
    ).all()
    for row in rows:
        clear = {
            c: keyring.decrypt(getattr(row, c))
            for c in ENCRYPTED_COLUMNS[table_name]
            if getattr(row, c) is not None
        }
        values = {c: keyring.encrypt(text) for c, text in clear.items()}
        if table_name == "child":
            values["id_number_hash"] = keyring.blind_index(clear["id_number"])
        session.execute(sa.update(table).where(key == row[0]).values(**values))
    return len(rows)
