"""Accounts and server-side sessions: argon2id password hashes, random session tokens.

The cookie holds a random token; the database keeps only its SHA-256, the user, a CSRF token
tied to the session, and when it was created and last used. A session ends after
``session_hours`` without use or ``session_max_hours`` after login, on logout, and when the
account is disabled or its password reset.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import List, Optional, Tuple

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.staff.models import DASHBOARD_ROLES, READ_ONLY_ROLES, ROLES, StaffDB
from bot.storage.tables import Session, User, utcnow

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,32}$")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = None


class AccountError(ValueError):
    """A problem with an account change, worded for the admin (Chinese)."""


@dataclass(frozen=True)
class Principal:
    """Who is logged in, as the handlers see it."""

    user_id: int
    username: str
    display_name: str
    role: str
    csrf_token: str
    session_id: int

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def read_only(self) -> bool:
        """A supervisor: sees the pages and the dashboard, changes nothing."""
        return self.role in READ_ONLY_ROLES

    @property
    def sees_dashboard(self) -> bool:
        return self.role in DASHBOARD_ROLES


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少需要{MIN_PASSWORD_LENGTH}个字符。")
    if password.strip() != password or not password.strip():
        raise AccountError("密码首尾不能有空格。")


def create_user(
    db: StaffDB, username: str, password: str, role: str = "staff", display_name: Optional[str] = None
) -> User:
    username = (username or "").strip()
    if not _USERNAME.match(username):
        raise AccountError("用户名须为2到32位字母、数字或 . _ -。")
    if role not in ROLES:
        raise AccountError("角色只能是热线工作人员、主管（只读）或管理员。")
    check_password_rules(password)
    with db.session() as s:
        exists = s.execute(sa.select(User.id).where(sa.func.lower(User.username) == username.lower())).first()
        if exists:
            raise AccountError("该用户名已存在。")
        user = User(
            username=username,
            display_name=(display_name or username).strip()[:64] or username,
            password_hash=hash_password(password),
            role=role,
            active=True,
            created_at=utcnow(),
            password_changed_at=utcnow(),
        )
        s.add(user)
        s.commit()
        return user


def list_users(db: StaffDB) -> List[User]:
    with db.session() as s:
        return list(s.execute(sa.select(User).order_by(User.username)).scalars())


def count_admins(db: StaffDB) -> int:
    with db.session() as s:
        return int(
            s.execute(sa.select(sa.func.count(User.id)).where(User.role == "admin", User.active.is_(True))).scalar_one()
        )


def set_active(db: StaffDB, user_id: int, active: bool) -> User:
    with db.session() as s:
        user: Optional[User] = s.get(User, user_id)
        if user is None:
            raise AccountError("没有这个账号。")
        if not active and user.role == "admin" and user.active and count_admins(db) <= 1:
            raise AccountError("不能停用最后一个管理员账号。")
        user.active = active
        if not active:
            s.execute(sa.delete(Session).where(Session.user_id == user_id))
        s.commit()
        return user


def set_password(db: StaffDB, user_id: int, password: str) -> User:
    """Reset (admin) or change (self) a password; every session of that account ends."""
    check_password_rules(password)
    with db.session() as s:
        user: Optional[User] = s.get(User, user_id)
        if user is None:
            raise AccountError("没有这个账号。")
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
        s.execute(sa.delete(Session).where(Session.user_id == user_id))
        s.commit()
        return user


def authenticate(db: StaffDB, username: str, password: str) -> Optional[User]:
    """The active user with this name and password, else None (same work either way)."""
    global _DUMMY_HASH
    with db.session() as s:
        user: Optional[User] = s.execute(
            sa.select(User).where(sa.func.lower(User.username) == (username or "").strip().lower())
        ).scalar_one_or_none()
        if user is None:
            _DUMMY_HASH = _DUMMY_HASH or _hasher.hash(secrets.token_hex(16))
            try:
                _hasher.verify(_DUMMY_HASH, password or "")
            except VerificationError:
                pass
            return None
        try:
            _hasher.verify(user.password_hash, password or "")
        except (VerificationError, InvalidHashError):
            return None
        if not user.active:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
            s.commit()
        return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: StaffDB, user: User) -> str:
    """A new session for ``user``; returns the cookie token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db.session() as s:
        s.add(
            Session(
                token_hash=_digest(token),
                user_id=user.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                last_seen=now,
            )
        )
        s.commit()
    return token


def load_session(db: StaffDB, token: Optional[str], idle: dt.timedelta, absolute: dt.timedelta) -> Optional[Principal]:
    if not token or len(token) > 100:
        return None
    now = utcnow()
    with db.session() as s:
        row: Optional[Tuple[Session, User]] = s.execute(
            sa.select(Session, User).join(User, User.id == Session.user_id).where(Session.token_hash == _digest(token))
        ).first()
        if row is None:
            return None
        sess, user = row
        if not user.active or now - sess.last_seen > idle or now - sess.created_at > absolute:
            s.delete(sess)
            s.commit()
            return None
        if (now - sess.last_seen).total_seconds() > 60:
            sess.last_seen = now
            s.commit()
        return Principal(user.id, user.username, user.display_name, user.role, sess.csrf_token, sess.id)


def end_session(db: StaffDB, token: Optional[str]) -> None:
    if token:
        with db.session() as s:
            s.execute(sa.delete(Session).where(Session.token_hash == _digest(token)))
            s.commit()


def purge_expired(db: StaffDB, idle: dt.timedelta, absolute: dt.timedelta) -> None:
    now = utcnow()
    with db.session() as s:
        s.execute(sa.delete(Session).where(sa.or_(Session.last_seen < now - idle, Session.created_at < now - absolute)))
        s.commit()
