"""stats indexes

Covering indexes for the statistics screen: its figures read these columns of a province's
million children and their visits without touching the wide rows (SQLite walks the index
alone; PostgreSQL scans it index-only once vacuumed).

Revision ID: 0014_stats_indexes
Revises: 0013_intake_for_real_families
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_stats_indexes"
down_revision: str | None = "0013_intake_for_real_families"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHILD_COLUMNS = [
    "village_code",
    "category",
    "difficulty_type",
    "risk_tier",
    "closed",
    "next_contact_due",
    "next_visit_due",
    "last_contact_on",
    "last_visit_on",
    "filed_at",
    "id",
]


def upgrade() -> None:
    op.create_index("ix_child_stats", "child", CHILD_COLUMNS)
    op.create_index("ix_visit_stats", "visit", ["child_id", "visited_on", "kind"])


def downgrade() -> None:
    op.drop_index("ix_visit_stats", table_name="visit")
    op.drop_index("ix_child_stats", table_name="child")
