"""The staff service's own tables (SQLAlchemy 1.4): accounts, server-side sessions, audit log.

They live in the project database (``ZHICHENG_DATABASE_URL``) next to the assessments; the schema
is migrated when the service starts (``bot.storage.migrate.on_start``); the tables are declared in
``bot.storage.tables``. The audit log is kept for ``ZHICHENG_AUDIT_RETENTION_DAYS`` (docs/retention.md). Datetimes are naive UTC everywhere. Portable SQL only (SQLite, PostgreSQL).
"""

from __future__ import annotations

import sqlalchemy as sa

from bot.storage.db import Database

ROLES = ("staff", "supervisor", "admin")
ROLE_NAMES = {"staff": "热线工作人员", "supervisor": "主管（只读）", "admin": "管理员"}
# Roles that see the dashboard (bot.staff.dashboard). A supervisor reads, never writes: the login
# middleware refuses every request of theirs that is not a GET or HEAD, except logging out and
# changing their own password (handlers marked ``access.self_service``).
DASHBOARD_ROLES = ("admin", "supervisor")
READ_ONLY_ROLES = ("supervisor",)


class StaffDB:
    """Sessions on the project database for the staff tables (``bot.storage.tables``)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.db = Database(url)

    @property
    def engine(self) -> sa.engine.Engine:
        return self.db.engine

    def session(self) -> sa.orm.Session:
        return self.db.session(expire_on_commit=False)

    def dispose(self) -> None:
        self.db.dispose()
