"""form_session.asking: typed text answers a form only while its question is in front

Revision ID: 0007_form_asking
Revises: 0006_sweep_run_lease
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_form_asking"
down_revision: str | None = "0006_sweep_run_lease"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Drafts open before the upgrade count as paused: their Continue button resumes them.
    with op.batch_alter_table("form_session") as batch:
        batch.add_column(
            sa.Column("asking", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("form_session") as batch:
        batch.drop_column("asking")
