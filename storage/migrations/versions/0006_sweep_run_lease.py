"""sweep run lease: a daily job commits in chunks, so a run is claimed, renewed and finished

Revision ID: 0006_sweep_run_lease
Revises: 0005_inbox
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0006_sweep_run_lease"
down_revision: str | None = "0005_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sweep_run") as table:
        table.add_column(
            sa.Column("lease_until", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        table.add_column(
            sa.Column("finished_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
    # Runs recorded before this revision committed in one transaction: they finished.
    op.execute("UPDATE sweep_run SET finished_at = started_at")


def downgrade() -> None:
    with op.batch_alter_table("sweep_run") as table:
        table.drop_column("finished_at")
        table.drop_column("lease_until")
