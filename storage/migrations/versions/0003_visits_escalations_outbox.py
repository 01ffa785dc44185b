"""visits escalations outbox

Revision ID: 0003_visits_escalations_outbox
Revises: 0002_child_files
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0003_visits_escalations_outbox"
down_revision: str | None = "0002_child_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("recipient_staff_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("not_before", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("event", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_staff_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["state", "not_before"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_recipient_staff_id"), ["recipient_staff_id"], unique=False
        )

    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("met", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("seen_in_person", sa.Boolean(), nullable=False),
        sa.Column("urgent", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("urgent_note", sa.Text(), nullable=True),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("care_needs", sa.Text(), nullable=True),
        sa.Column("caregiver_changed", sa.Boolean(), nullable=False),
        sa.Column("tier_before", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("tier_after", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("tier_reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("media", sa.Text(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("flag_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["child.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_visit_child_date", ["child_id", "visited_on"], unique=False)

    op.create_table(
        "escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("village_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("raised_by", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("raised_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_by", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["child.id"],
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["form_session.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["raised_by"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["village_code"],
            ["org_unit.code"],
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_escalation_child_id"), ["child_id"], unique=False)
        batch_op.create_index("ix_escalation_open", ["state", "due_by"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_escalation_village_code"), ["village_code"], unique=False
        )

    op.create_table(
        "risk_tier_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("tier_before", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("tier_after", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("changed_by", sa.Integer(), nullable=False),
        sa.Column("changed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["child.id"],
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("risk_tier_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_tier_change_child_id"), ["child_id"], unique=False
        )

    op.create_table(
        "visit_problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visit.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("visit_problem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_problem_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_problem_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "escalation_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("escalation_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_escalation_event_escalation_id"), ["escalation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("escalation_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_event_escalation_id"))

    op.drop_table("escalation_event")
    with op.batch_alter_table("visit_problem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_problem_visit_id"))
        batch_op.drop_index(batch_op.f("ix_visit_problem_category"))

    op.drop_table("visit_problem")
    with op.batch_alter_table("risk_tier_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_tier_change_child_id"))

    op.drop_table("risk_tier_change")
    with op.batch_alter_table("escalation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_village_code"))
        batch_op.drop_index("ix_escalation_open")
        batch_op.drop_index(batch_op.f("ix_escalation_child_id"))

    op.drop_table("escalation")
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_child_date")
        batch_op.drop_index(batch_op.f("ix_visit_author_id"))

    op.drop_table("visit")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_recipient_staff_id"))
        batch_op.drop_index("ix_outbox_due")

    op.drop_table("outbox")
