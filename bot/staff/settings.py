"""Typed settings of the staff service, read from environment variables with local defaults.

| variable | meaning | default |
| --- | --- | --- |
| STAFF_HOST / STAFF_PORT | where the service listens | 127.0.0.1 / 8080 |
| RASA_URL | the Rasa server whose ``/model/parse`` understands a search | http://localhost:5005 |
| RASA_AUTH_TOKEN | the token Rasa's HTTP API was started with (``rasa run --auth-token``), if any | none |
| STAFF_RASA_TIMEOUT | seconds to wait for that parse | 1.5 |
| STAFF_COOKIE_SECURE | ``auto`` (Secure when the request came over HTTPS), ``always`` or ``never`` | auto |
| STAFF_TRUST_PROXY | ``1``: believe ``X-Forwarded-Proto`` / ``X-Forwarded-For`` from the proxy in front | 0 |
| STAFF_SESSION_HOURS | a session ends this long after it was last used | 8 |
| STAFF_SESSION_MAX_HOURS | … and at the latest this long after login | 12 |
| STAFF_LOGIN_MAX_FAILURES / STAFF_LOGIN_WINDOW_MINUTES | login rate limit, per account and per IP | 5 / 15 |
| STAFF_TIMEZONE | times are shown in this zone (stored in UTC) | Asia/Shanghai |
| TRACKER_STORE_URL | Rasa's SQL tracker store (for chat transcripts) | sqlite:///var/tracker.db |
| ZHICHENG_DATABASE_URL, ZHICHENG_TODAY, ZHICHENG_NOTICES_DIR | as in ``bot.settings`` | |
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Mapping, Optional

from bot.settings import ROOT, SettingsError, get_settings


@dataclass(frozen=True)
class StaffSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    rasa_url: str = "http://localhost:5005"
    rasa_timeout: float = 1.5
    rasa_token: Optional[str] = None
    cookie_secure: str = "auto"  # auto / always / never
    trust_proxy: bool = False
    session_hours: float = 8.0
    session_max_hours: float = 12.0
    login_max_failures: int = 5
    login_window_minutes: float = 15.0
    database_url: str = f"sqlite:///{os.path.join(ROOT, 'var', 'zhicheng.db')}"
    tracker_store_url: str = f"sqlite:///{os.path.join(ROOT, 'var', 'tracker.db')}"
    notices_dir: Optional[str] = None
    timezone: str = "Asia/Shanghai"
    today_override: Optional[dt.date] = field(default=None)

    def today(self) -> dt.date:
        return self.today_override or dt.date.today()


def _number(env: Mapping[str, str], name: str, default: float, kind=float):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {raw!r}")
    return value


def _tracker_url(raw: str) -> str:
    """Rasa resolves a relative SQLite path against its working directory, the repository root."""
    prefix = "sqlite:///"
    if raw.startswith(prefix) and not raw[len(prefix):].startswith("/") and raw[len(prefix):] not in ("", ":memory:"):
        return prefix + os.path.join(ROOT, raw[len(prefix):])
    return raw


def get_staff_settings(env: Optional[Mapping[str, str]] = None) -> StaffSettings:
    env = os.environ if env is None else env
    base = get_settings(env)
    secure = (env.get("STAFF_COOKIE_SECURE") or "auto").strip().lower()
    if secure not in ("auto", "always", "never"):
        raise SettingsError(f"STAFF_COOKIE_SECURE must be auto, always or never, got {secure!r}")
    return StaffSettings(
        host=env.get("STAFF_HOST") or "127.0.0.1",
        port=_number(env, "STAFF_PORT", 8080, int),
        rasa_url=(env.get("RASA_URL") or "http://localhost:5005").rstrip("/"),
        rasa_timeout=_number(env, "STAFF_RASA_TIMEOUT", 1.5),
        rasa_token=(env.get("RASA_AUTH_TOKEN") or "").strip() or None,
        cookie_secure=secure,
        trust_proxy=(env.get("STAFF_TRUST_PROXY") or "0").strip().lower() in ("1", "true", "yes"),
        session_hours=_number(env, "STAFF_SESSION_HOURS", 8.0),
        session_max_hours=_number(env, "STAFF_SESSION_MAX_HOURS", 12.0),
        login_max_failures=_number(env, "STAFF_LOGIN_MAX_FAILURES", 5, int),
        login_window_minutes=_number(env, "STAFF_LOGIN_WINDOW_MINUTES", 15.0),
        database_url=base.database_url,
        tracker_store_url=_tracker_url(env.get("TRACKER_STORE_URL") or "sqlite:///var/tracker.db"),
        notices_dir=base.notices_dir,
        timezone=env.get("STAFF_TIMEZONE") or "Asia/Shanghai",
        today_override=base.today_override,
    )
