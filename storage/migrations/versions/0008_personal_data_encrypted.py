"""Personal data encrypted at rest: ID numbers, phones, addresses and drafts; ID blind index

Revision ID: 0008_personal_data_encrypted
Revises: 0007_form_asking
Create Date: 2026-12-02

The key comes from the environment (DATA_KEY or DATA_KEY_FILE, as for the bot): a database with
rows cannot be encrypted without it, and the migration stops saying so. An empty database needs
no key.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.crypto import (
    Keyring,
    MissingDataKey,
    has_keyring,
    keyring,
    keyring_from_environment,
)

revision: str = "0008_personal_data_encrypted"
down_revision: str | None = "0007_form_asking"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> {column: the length it had in clear}; form_session.state was Text already.
PERSONAL = {
    "child": {"id_number": 18, "home_address": 200, "helper_phone": 20},
    "guardian": {"id_number": 18, "phone": 20, "address": 200},
    "caregiver": {"phone": 20, "address": 200},
    "form_session": {"state": 0},
    "inbox": {"payload": 0},  # updates as received: what directors typed
    "outbox": {"payload": 0},  # messages waiting to go out
}
ROW_KEY = {"inbox": "update_id"}  # the others are keyed by id
NOT_NULL = {("child", "id_number"), ("child", "home_address"), ("form_session", "state")}
NO_KEY = (
    "Migration 0008 encrypts the personal data already stored and needs the data key: set "
    "DATA_KEY (or DATA_KEY_FILE) in the environment, made with `python -m bot keys new`, and "
    "run the upgrade again."
)
BATCH = 500


def _table(name: str, *, with_hash: bool = False) -> sa.TableClause:
    key = ROW_KEY.get(name, "id")
    columns = [sa.column(key, sa.BigInteger), *(sa.column(c, sa.Text) for c in PERSONAL[name])]
    if with_hash:
        columns.append(sa.column("id_number_hash", sa.String))
    return sa.table(name, *columns)


def _has_rows(connection: sa.Connection) -> bool:
    return any(
        connection.execute(sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)).first()
        for name in PERSONAL
    )


def _rewrite(connection: sa.Connection, ring: Keyring, *, encrypting: bool) -> None:
    """Encrypt (or decrypt) every personal column of every row, in id order, in batches."""
    for name in PERSONAL:
        table = _table(name, with_hash=name == "child")
        key = table.c[ROW_KEY.get(name, "id")]
        last = -(2**62)  # update ids are Telegram's and start anywhere
        while True:
            rows = connection.execute(
                sa.select(table).where(key > last).order_by(key).limit(BATCH)
            ).all()
            if not rows:
                break
            for row in rows:
                values: dict[str, str] = {}
                for column in PERSONAL[name]:
                    value = getattr(row, column)
                    if value is None:
                        continue
                    already = value.startswith("v1:")
                    if encrypting and not already:
                        values[column] = ring.encrypt(value)
                    elif not encrypting and already:
                        values[column] = ring.decrypt(value)
                if name == "child" and encrypting:
                    clear = row.id_number
                    if clear.startswith("v1:"):
                        clear = ring.decrypt(clear)
                    values["id_number_hash"] = ring.blind_index(clear)
                if values:
                    connection.execute(sa.update(table).where(key == row[0]).values(**values))
            last = rows[-1][0]


def _keyring_or_stop(connection: sa.Connection) -> Keyring | None:
    if not _has_rows(connection):
        return None
    try:
        # The keyring the CLI installed from its settings (.env included), else the environment.
        return keyring() if has_keyring() else keyring_from_environment()
    except MissingDataKey:
        raise RuntimeError(NO_KEY) from None


def _old_unique_name(dialect: str) -> str:
    return "child_id_number_key" if dialect == "postgresql" else "uq_child_id_number"


NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    connection = op.get_bind()
    ring = _keyring_or_stop(connection)
    dialect = connection.dialect.name
    with op.batch_alter_table("child", naming_convention=NAMING) as batch:
        batch.add_column(sa.Column("id_number_hash", sa.String(length=64), nullable=True))
        batch.drop_constraint(_old_unique_name(dialect), type_="unique")
    for name, columns in PERSONAL.items():
        with op.batch_alter_table(name) as batch:
            for column, length in columns.items():
                if length:
                    batch.alter_column(
                        column,
                        type_=sa.Text(),
                        existing_type=sa.String(length=length),
                        existing_nullable=(name, column) not in NOT_NULL,
                    )
    if ring is not None:
        _rewrite(connection, ring, encrypting=True)
    with op.batch_alter_table("child") as batch:
        batch.alter_column("id_number_hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint("child_id_number_hash_key", ["id_number_hash"])


def downgrade() -> None:
    connection = op.get_bind()
    ring = _keyring_or_stop(connection)
    if ring is not None:
        _rewrite(connection, ring, encrypting=False)
    for name, columns in PERSONAL.items():
        with op.batch_alter_table(name) as batch:
            for column, length in columns.items():
                if length:
                    batch.alter_column(
                        column,
                        type_=sa.String(length=length),
                        existing_type=sa.Text(),
                        existing_nullable=(name, column) not in NOT_NULL,
                    )
    with op.batch_alter_table("child") as batch:
        batch.drop_constraint("child_id_number_hash_key", type_="unique")
        batch.drop_column("id_number_hash")
        batch.create_unique_constraint(_old_unique_name(connection.dialect.name), ["id_number"])
