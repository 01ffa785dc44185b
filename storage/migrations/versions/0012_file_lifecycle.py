"""child files close, reopen, go to review and move between villages

Revision ID: 0012_file_lifecycle
Revises: 0011_escalation_ladder
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0012_file_lifecycle"
down_revision: str | None = "0011_escalation_ladder"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Files on record before the upgrade stay as they were: open ones open, none under review.
    with op.batch_alter_table("child") as batch:
        batch.add_column(
            sa.Column("closed_reason", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column("review_state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch.add_column(sa.Column("review_note", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("review_section", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch.add_column(sa.Column("review_by", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column(
                "age_prompted_for", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True
            )
        )
        batch.add_column(sa.Column("unqualified_since", sa.Date(), nullable=True))
        batch.create_index("ix_child_review_state", ["review_state"], unique=False)
        batch.create_index("ix_child_unqualified_since", ["unqualified_since"], unique=False)
    op.create_table(
        "child_transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("from_village", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("to_village", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["from_village"], ["org_unit.code"]),
        sa.ForeignKeyConstraint(["to_village"], ["org_unit.code"]),
        sa.ForeignKeyConstraint(["requested_by"], ["staff.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_child_transfer_child_id", "child_transfer", ["child_id"], unique=False)
    op.create_index("ix_child_transfer_state", "child_transfer", ["state"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_child_transfer_state", table_name="child_transfer")
    op.drop_index("ix_child_transfer_child_id", table_name="child_transfer")
    op.drop_table("child_transfer")
    with op.batch_alter_table("child") as batch:
        batch.drop_index("ix_child_unqualified_since")
        batch.drop_index("ix_child_review_state")
        for column in (
            "unqualified_since",
            "age_prompted_for",
            "review_by",
            "review_section",
            "review_note",
            "review_state",
            "closed_on",
            "closed_reason",
        ):
            batch.drop_column(column)
