"""county duties: director ledger, training archive, spot check, directors' tasks, practice

Revision ID: 0010_county_duties
Revises: 0009_child_placeholder
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0010_county_duties"
down_revision: str | None = "0009_child_placeholder"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
UTC = storage.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("org_unit") as batch:
        batch.add_column(
            sa.Column("practice", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Nullable columns: existing staff rows stay as they are, the ledger filled in later.
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("appointed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("gender", String(length=8), nullable=True))
        batch.add_column(sa.Column("education", String(length=32), nullable=True))
    op.create_table(
        "training_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_code", String(length=12), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("level", String(length=16), nullable=False),
        sa.Column("hours", sa.Numeric(5, 1), nullable=False),
        sa.Column("organiser", String(length=100), nullable=False),
        sa.Column("topic", String(length=200), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org_code"], ["org_unit.code"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_training_event_org_code", "training_event", ["org_code"])
    op.create_index("ix_training_event_held_on", "training_event", ["held_on"])
    op.create_table(
        "training_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("source", String(length=16), nullable=False),
        sa.Column("recorded_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["training_event.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "staff_id", name="uq_training_attendance_event_staff"),
    )
    op.create_index("ix_training_attendance_event_id", "training_attendance", ["event_id"])
    op.create_index("ix_training_attendance_staff_id", "training_attendance", ["staff_id"])
    op.create_table(
        "spot_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("drawn_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["county_code"], ["org_unit.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("county_code", "year", name="uq_spot_check_county_year"),
    )
    op.create_index("ix_spot_check_county_code", "spot_check", ["county_code"])
    op.create_table(
        "spot_check_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spot_check_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("township_code", String(length=12), nullable=False),
        sa.Column("checked_at", UTC(timezone=True), nullable=True),
        sa.Column("checker_staff_id", sa.Integer(), nullable=True),
        sa.Column("results", sa.Text(), nullable=True),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["spot_check_id"], ["spot_check.id"]),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["checker_staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("spot_check_id", "child_id", name="uq_spot_check_file_child"),
    )
    op.create_index("ix_spot_check_file_spot_check_id", "spot_check_file", ["spot_check_id"])
    op.create_index("ix_spot_check_file_child_id", "spot_check_file", ["child_id"])
    op.create_table(
        "spot_check_checker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spot_check_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["spot_check_id"], ["spot_check.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("spot_check_id", "staff_id", name="uq_spot_check_checker_staff"),
    )
    op.create_index("ix_spot_check_checker_spot_check_id", "spot_check_checker", ["spot_check_id"])
    op.create_index("ix_spot_check_checker_staff_id", "spot_check_checker", ["staff_id"])
    op.create_table(
        "director_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", String(length=12), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("source", String(length=32), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("item", String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("done_at", UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["village_code"], ["org_unit.code"]),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_director_task_village_code", "director_task", ["village_code"])
    op.create_index("ix_director_task_child_id", "director_task", ["child_id"])
    op.create_table(
        "practice_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("real_staff_id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("director_id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("village_code", String(length=12), nullable=False),
        sa.Column("acting", String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("started_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["real_staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["director_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["supervisor_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["village_code"], ["org_unit.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("real_staff_id"),
    )


def downgrade() -> None:
    op.drop_table("practice_round")
    op.drop_table("director_task")
    op.drop_table("spot_check_checker")
    op.drop_table("spot_check_file")
    op.drop_table("spot_check")
    op.drop_table("training_attendance")
    op.drop_table("training_event")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("education")
        batch.drop_column("gender")
        batch.drop_column("appointed_on")
    with op.batch_alter_table("org_unit") as batch:
        batch.drop_column("practice")
