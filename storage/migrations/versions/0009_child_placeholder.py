"""child.placeholder: a file opened by an urgent report for a child not yet on file

Revision ID: 0009_child_placeholder
Revises: 0008_personal_data_encrypted
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_child_placeholder"
down_revision: str | None = "0008_personal_data_encrypted"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every file on record before the upgrade came from a full intake: none is a placeholder.
    with op.batch_alter_table("child") as batch:
        batch.add_column(
            sa.Column("placeholder", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        # The daily sweep looks the few placeholders up among all files.
        batch.create_index("ix_child_placeholder", ["placeholder"])


def downgrade() -> None:
    with op.batch_alter_table("child") as batch:
        batch.drop_index("ix_child_placeholder")
        batch.drop_column("placeholder")
