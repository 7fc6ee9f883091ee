"""Audit log: one row per login, logout, case lookup, assessment, save, export and account change.

What is stored is masked (``bot.storage.privacy.mask_personal``): a caller's mobile or ID number
typed into the case-code box, or into the login form's username, is kept as ``138****5678``, never
in clear; rows written before that are masked when shown and by the purge. The log is kept for
``ZHICHENG_AUDIT_RETENTION_DAYS`` (365 days by default; ``bot.storage.purge``, docs/retention.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional

import sqlalchemy as sa

from bot.staff.models import StaffDB
from bot.storage.privacy import mask_personal
from bot.storage.tables import AuditEntry, utcnow

ACTION_NAMES = {
    "login": "登录",
    "login_failed": "登录失败",
    "login_blocked": "登录被限制",
    "login_locked": "登录锁定",
    "login_unlock": "解除登录锁定",
    "logout": "退出",
    "case_lookup": "查询评估编号",
    "assess": "代为评估",
    "assess_save": "保存评估",
    "user_create": "新建账号",
    "user_disable": "停用账号",
    "user_enable": "启用账号",
    "user_reset_password": "重置密码",
    "password_change": "修改密码",
    "inbox_export": "导出未答问题",
    "dashboard_export": "导出统计",
}


@dataclass
class AuditRow:
    at: dt.datetime
    actor: str
    action: str
    target: Optional[str]
    detail: Optional[str]


def _masked(value: Optional[str], limit: int) -> Optional[str]:
    return None if value is None else mask_personal(str(value)[:limit])


def write(db: StaffDB, actor: str, action: str, target: Optional[str] = None, detail: Optional[str] = None) -> None:
    with db.session() as s:
        s.add(
            AuditEntry(
                at=utcnow(),
                actor=mask_personal((actor or "-")[:64]),
                action=action[:40],
                target=_masked(target, 200),
                detail=_masked(detail, 400),
            )
        )
        s.commit()


def recent(db: StaffDB, limit: int = 200, action: Optional[str] = None) -> List[AuditRow]:
    """Newest first."""
    q = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if action:
        q = q.where(AuditEntry.action == action)
    with db.session() as s:
        return [
            AuditRow(r.at, mask_personal(r.actor), r.action, _masked(r.target, 200), _masked(r.detail, 400))
            for r in s.execute(q).scalars()
        ]
