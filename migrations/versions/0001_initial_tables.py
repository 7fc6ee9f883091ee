"""The project's tables as they were before migrations existed (``metadata.create_all``).

Creates only the tables that are missing, so a database made by ``create_all`` — whole, or only
the tables of the parts that had run (each part used to create its own) — is adopted: its
existing tables are kept with their rows and the database is stamped at this revision. A table
that exists with other columns than these is refused with its name rather than silently kept.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""
from typing import Dict, List

import sqlalchemy as sa
from alembic import context, op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables() -> Dict[str, List]:
    """Each table's columns, constraints and indexes (name → create_table arguments, index list)."""
    return {
        "assessments": [[
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("case_code", sa.String(length=16), nullable=False),
            sa.Column("notice_id", sa.String(length=120), nullable=False),
            sa.Column("level", sa.String(length=40), nullable=False),
            sa.Column("verdict", sa.String(length=40), nullable=False),
            sa.Column("facts", sa.Text(), nullable=False),
            sa.Column("result", sa.Text(), nullable=False),
            sa.Column("channel", sa.String(length=40), nullable=False),
            sa.Column("sender_id", sa.String(length=200), nullable=True),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        ], [("ix_assessments_case_code", ["case_code"], True)]],
        "unanswered": [[
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("intent", sa.String(length=80), nullable=True),
            sa.Column("confidence", sa.Float(), nullable=True),
            sa.Column("reason", sa.String(length=40), nullable=False),
            sa.Column("channel", sa.String(length=40), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        ], [("ix_unanswered_created_at", ["created_at"], False)]],
        "staff_users": [[
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("username", sa.String(length=64), nullable=False),
            sa.Column("display_name", sa.String(length=64), nullable=False),
            sa.Column("password_hash", sa.String(length=255), nullable=False),
            sa.Column("role", sa.String(length=16), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("password_changed_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        ], [("ix_staff_users_username", ["username"], True)]],
        "staff_sessions": [[
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("csrf_token", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("last_seen", sa.DateTime(), nullable=False),
            sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"]),
            sa.PrimaryKeyConstraint("id"),
        ], [("ix_staff_sessions_token_hash", ["token_hash"], True),
            ("ix_staff_sessions_user_id", ["user_id"], False)]],
        "staff_audit_log": [[
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("actor", sa.String(length=64), nullable=False),
            sa.Column("action", sa.String(length=40), nullable=False),
            sa.Column("target", sa.String(length=200), nullable=True),
            sa.Column("detail", sa.String(length=400), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        ], [("ix_staff_audit_log_action", ["action"], False), ("ix_staff_audit_log_at", ["at"], False)]],
        "wechat_access_tokens": [[
            sa.Column("app_id", sa.String(length=64), nullable=False),
            sa.Column("token", sa.String(length=1024), nullable=False),
            sa.Column("expires_at", sa.Float(), nullable=False),
            sa.PrimaryKeyConstraint("app_id"),
        ], []],
        "wechat_messages": [[
            sa.Column("key", sa.String(length=64), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("key"),
        ], []],
        "wechat_choices": [[
            sa.Column("sender", sa.String(length=64), nullable=False),
            sa.Column("buttons", sa.Text(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("sender"),
        ], []],
    }


TABLE_NAMES = tuple(_tables())  # in creation order (staff_users before staff_sessions)


def upgrade() -> None:
    if context.is_offline_mode():  # `alembic upgrade head --sql`: the SQL for an empty database
        for name, (elements, indexes) in _tables().items():
            op.create_table(name, *elements)
            for index, columns, unique in indexes:
                op.create_index(index, name, columns, unique=unique)
        return
    inspector = sa.inspect(op.get_bind())
    existing = set(inspector.get_table_names())
    for name, (elements, indexes) in _tables().items():
        if name in existing:
            expected = {e.name for e in elements if isinstance(e, sa.Column)}
            found = {c["name"] for c in inspector.get_columns(name)}
            if found != expected:
                raise RuntimeError(f"table {name} exists with columns {sorted(found)}, expected {sorted(expected)}: "
                                   "not a database this project created; migrate it by hand")
            have = {i["name"] for i in inspector.get_indexes(name)}
            for index, columns, unique in indexes:
                if index not in have:
                    op.create_index(index, name, columns, unique=unique)
            continue
        op.create_table(name, *elements)
        for index, columns, unique in indexes:
            op.create_index(index, name, columns, unique=unique)


def downgrade() -> None:
    for name in reversed(TABLE_NAMES):
        op.drop_table(name)
