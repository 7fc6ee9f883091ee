"""The staff service's own tables (SQLAlchemy 1.4): accounts, server-side sessions, audit log.

They live in the project database (``ZHICHENG_DATABASE_URL``) next to the assessments; the schema
is migrated on first use (``bot.migrate``). The audit log is never purged (docs/retention.md). Datetimes are naive UTC everywhere. Portable SQL only (SQLite, PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa

from bot.db import Base, open_engine, session_factory

ROLES = ("staff", "supervisor", "admin")
ROLE_NAMES = {"staff": "热线工作人员", "supervisor": "主管（只读）", "admin": "管理员"}
# Roles that see the dashboard (bot.staff.dashboard). A supervisor reads, never writes: the login
# middleware refuses every request of theirs that is not a GET or HEAD, except logging out and
# changing their own password (handlers marked ``access.self_service``).
DASHBOARD_ROLES = ("admin", "supervisor")
READ_ONLY_ROLES = ("supervisor",)


def utcnow() -> dt.datetime:
    return dt.datetime.utcnow()


class User(Base):
    __tablename__ = "staff_users"
    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(64), nullable=False, unique=True, index=True)
    display_name = sa.Column(sa.String(64), nullable=False)
    password_hash = sa.Column(sa.String(255), nullable=False)  # argon2id
    role = sa.Column(sa.String(16), nullable=False, default="staff")
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    password_changed_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class Session(Base):
    """A login. Only the SHA-256 of the cookie token is stored, so a database leak gives no session."""

    __tablename__ = "staff_sessions"
    id = sa.Column(sa.Integer, primary_key=True)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True, index=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("staff_users.id"), nullable=False, index=True)
    csrf_token = sa.Column(sa.String(64), nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False)
    last_seen = sa.Column(sa.DateTime, nullable=False)


class AuditEntry(Base):
    """Who did what, when, to which target. Targets are case codes, notice ids, usernames — never
    a caller's personal data."""

    __tablename__ = "staff_audit_log"
    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(sa.DateTime, nullable=False, index=True)
    actor = sa.Column(sa.String(64), nullable=False)  # username ("-" before login)
    action = sa.Column(sa.String(40), nullable=False, index=True)
    target = sa.Column(sa.String(200))
    detail = sa.Column(sa.String(400))


TABLES = (User.__table__, Session.__table__, AuditEntry.__table__)


class StaffDB:
    """Engine and session factory for the staff tables; schema migrated on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Optional[sa.engine.Engine] = None
        self._factory = None

    @property
    def engine(self) -> sa.engine.Engine:
        if self._engine is None:
            self._engine = open_engine(self.url, Base.metadata, TABLES)
            self._factory = session_factory(self._engine, expire_on_commit=False)
        return self._engine

    def session(self):
        self.engine  # noqa: B018
        return self._factory()

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
