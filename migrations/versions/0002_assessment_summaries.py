"""Anonymous summaries of assessments older than the retention (``bot.storage.purge``, docs/retention.md).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.String(length=120), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("verdict", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("deciding", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assessment_summaries_day", "assessment_summaries", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_assessment_summaries_day", table_name="assessment_summaries")
    op.drop_table("assessment_summaries")
