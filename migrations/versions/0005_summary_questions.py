"""An assessment's question count survives the purge (``assessment_summaries.questions``), and
WeChat answers sent late through the customer-service API are counted per hour
(``wechat_late_answers``, no personal data) for the dashboard.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment_summaries") as batch:
        batch.add_column(sa.Column("questions", sa.Integer(), nullable=True))
    op.create_table(
        "wechat_late_answers",
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour"),
    )


def downgrade() -> None:
    op.drop_table("wechat_late_answers")
    with op.batch_alter_table("assessment_summaries") as batch:
        batch.drop_column("questions")
