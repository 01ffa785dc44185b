"""child files and form drafts

Revision ID: 0002_child_files
Revises: 0001_foundation
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0002_child_files"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "child",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("id_number", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column("sex", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("ethnicity", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("home_address", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("hukou", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("difficulty_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("difficulty_detail", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("single_parent", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("schooling", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("boarding", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("guardianship", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "guardianship_detail", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
        ),
        sa.Column("health", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("health_detail", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("disability_grade", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
        sa.Column("psychology", sa.Text(), nullable=True),
        sa.Column("education_aid", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("medical_aid", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("other_aid", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("social_support", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("risk_tier", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("helper_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("helper_phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("helper_unit", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("care_needs", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("income_per_capita", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("filed_by", sa.Integer(), nullable=False),
        sa.Column("filed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_contact_on", sa.Date(), nullable=True),
        sa.Column("last_visit_on", sa.Date(), nullable=True),
        sa.Column("next_contact_due", sa.Date(), nullable=True),
        sa.Column("next_visit_due", sa.Date(), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filed_by"],
            ["staff.id"],
        ),
        sa.ForeignKeyConstraint(
            ["village_code"],
            ["org_unit.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_number"),
    )
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_child_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_child_filed_by"), ["filed_by"], unique=False)
        batch_op.create_index("ix_child_name_birth", ["name", "birth_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_child_next_contact_due"), ["next_contact_due"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_child_next_visit_due"), ["next_visit_due"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_child_risk_tier"), ["risk_tier"], unique=False)
        batch_op.create_index(batch_op.f("ix_child_village_code"), ["village_code"], unique=False)

    op.create_table(
        "form_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("form", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stale_mentioned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("form_session", schema=None) as batch_op:
        batch_op.create_index("ix_form_session_staff_status", ["staff_id", "status"], unique=False)

    op.create_table(
        "assistance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("yuan_per_month", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["child.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assistance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assistance_child_id"), ["child_id"], unique=False)

    op.create_table(
        "caregiver",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("relation", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("entrusted_from", sa.Date(), nullable=True),
        sa.Column("entrusted_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["child.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("caregiver", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_caregiver_child_id"), ["child_id"], unique=False)

    op.create_table(
        "guardian",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("relation", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("id_number", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("health", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("illness", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("special", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("away", sa.Boolean(), nullable=True),
        sa.Column("away_months", sa.Integer(), nullable=True),
        sa.Column("work_place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("can_guard", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["child.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guardian_child_id"), ["child_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guardian_child_id"))

    op.drop_table("guardian")
    with op.batch_alter_table("caregiver", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_caregiver_child_id"))

    op.drop_table("caregiver")
    with op.batch_alter_table("assistance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assistance_child_id"))

    op.drop_table("assistance")
    with op.batch_alter_table("form_session", schema=None) as batch_op:
        batch_op.drop_index("ix_form_session_staff_status")

    op.drop_table("form_session")
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_child_village_code"))
        batch_op.drop_index(batch_op.f("ix_child_risk_tier"))
        batch_op.drop_index(batch_op.f("ix_child_next_visit_due"))
        batch_op.drop_index(batch_op.f("ix_child_next_contact_due"))
        batch_op.drop_index("ix_child_name_birth")
        batch_op.drop_index(batch_op.f("ix_child_filed_by"))
        batch_op.drop_index(batch_op.f("ix_child_category"))

    op.drop_table("child")
