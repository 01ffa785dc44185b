"""escalation ladder: unrouted and follow-up times, and what else was informed (110, 120, …)

Revision ID: 0011_escalation_ladder
Revises: 0010_county_duties
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0011_escalation_ladder"
down_revision: str | None = "0010_county_duties"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("escalation") as table:
        table.add_column(
            sa.Column("unrouted_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        table.add_column(
            sa.Column("chased_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        table.add_column(sa.Column("report", sa.Text(), nullable=True))
    op.create_table(
        "escalation_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("informed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalation.id"]),
        sa.ForeignKeyConstraint(["recorded_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("escalation_id", "kind", name="uq_escalation_measure_kind"),
    )
    with op.batch_alter_table("escalation_measure") as table:
        table.create_index(
            table.f("ix_escalation_measure_escalation_id"), ["escalation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("escalation_measure") as table:
        table.drop_index(table.f("ix_escalation_measure_escalation_id"))
    op.drop_table("escalation_measure")
    with op.batch_alter_table("escalation") as table:
        table.drop_column("report")
        table.drop_column("chased_at")
        table.drop_column("unrouted_at")
