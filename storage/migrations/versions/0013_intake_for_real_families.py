"""Intake for real families; visits as they happen; help given and the work log

Revision ID: 0013_intake_for_real_families
Revises: 0012_file_lifecycle
Create Date: 2026-12-02

- child: a file without an ID number (id_number and its blind index nullable, with a reason);
  health and difficulty kinds widened to hold several choices (a stored single value is a valid
  list of one, so existing files read back unchanged); care needs by category.
- guardian: a guardian's relationship (orphans and children without de facto carers).
- visit: the outcome (a home visit where nobody was home) and the care needs by category.
- help_given, work_log, work_log_child: new tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0013_intake_for_real_families"
down_revision: str | None = "0012_file_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _string(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("child") as batch:
        batch.alter_column("id_number", existing_type=sa.Text(), nullable=True)
        batch.alter_column("id_number_hash", existing_type=sa.String(length=64), nullable=True)
        batch.add_column(sa.Column("no_id_reason", _string(16), nullable=True))
        batch.alter_column(
            "difficulty_type", type_=_string(200), existing_type=_string(16), existing_nullable=True
        )
        batch.alter_column(
            "health", type_=_string(100), existing_type=_string(16), existing_nullable=False
        )
        batch.add_column(sa.Column("need_kinds", _string(200), nullable=False, server_default=""))
    with op.batch_alter_table("guardian") as batch:
        batch.add_column(sa.Column("kinship", _string(16), nullable=True))
    with op.batch_alter_table("visit") as batch:
        batch.add_column(
            sa.Column("outcome", _string(16), nullable=False, server_default="completed")
        )
        batch.add_column(sa.Column("need_kinds", _string(200), nullable=False, server_default=""))
    op.create_table(
        "help_given",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("kind", _string(16), nullable=False),
        sa.Column("given_by", _string(100), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("help_given") as batch:
        batch.create_index("ix_help_given_child_date", ["child_id", "given_on"], unique=False)
        batch.create_index(batch.f("ix_help_given_author_id"), ["author_id"], unique=False)
    op.create_table(
        "work_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", _string(12), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["village_code"], ["org_unit.code"]),
        sa.ForeignKeyConstraint(["author_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("work_log") as batch:
        batch.create_index("ix_work_log_village_date", ["village_code", "done_on"], unique=False)
        batch.create_index(batch.f("ix_work_log_author_id"), ["author_id"], unique=False)
    op.create_table(
        "work_log_child",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["work_log.id"]),
        sa.ForeignKeyConstraint(["child_id"], ["child.id"]),
        sa.PrimaryKeyConstraint("entry_id", "child_id"),
    )
    with op.batch_alter_table("work_log_child") as batch:
        batch.create_index(batch.f("ix_work_log_child_child_id"), ["child_id"], unique=False)


def downgrade() -> None:
    op.drop_table("work_log_child")
    op.drop_table("work_log")
    op.drop_table("help_given")
    with op.batch_alter_table("visit") as batch:
        batch.drop_column("need_kinds")
        batch.drop_column("outcome")
    with op.batch_alter_table("guardian") as batch:
        batch.drop_column("kinship")
    # Files kept since without an ID number, or with several health or difficulty kinds, do not
    # fit the older schema: the downgrade stops on them rather than lose what they say.
    with op.batch_alter_table("child") as batch:
        batch.drop_column("need_kinds")
        batch.alter_column(
            "health", type_=_string(16), existing_type=_string(100), existing_nullable=False
        )
        batch.alter_column(
            "difficulty_type", type_=_string(16), existing_type=_string(200), existing_nullable=True
        )
        batch.drop_column("no_id_reason")
        batch.alter_column("id_number_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("id_number", existing_type=sa.Text(), nullable=False)
