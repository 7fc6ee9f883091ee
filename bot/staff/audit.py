"""Audit log: one row per login, logout, case lookup, assessment, save and account change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional

import sqlalchemy as sa

from bot.staff.models import StaffDB
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


def write(db: StaffDB, actor: str, action: str, target: Optional[str] = None, detail: Optional[str] = None) -> None:
    with db.session() as s:
        s.add(
            AuditEntry(
                at=utcnow(),
                actor=(actor or "-")[:64],
                action=action[:40],
                target=None if target is None else str(target)[:200],
                detail=None if detail is None else str(detail)[:400],
            )
        )
        s.commit()


def recent(db: StaffDB, limit: int = 200, action: Optional[str] = None) -> List[AuditRow]:
    """Newest first."""
    q = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if action:
        q = q.where(AuditEntry.action == action)
    with db.session() as s:
        return [AuditRow(r.at, r.actor, r.action, r.target, r.detail) for r in s.execute(q).scalars()]
