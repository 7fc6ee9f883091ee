"""Typed settings from environment variables, with working local defaults.

| variable | meaning | default |
| --- | --- | --- |
| ZHICHENG_TODAY | the day deadlines are counted from (YYYY-MM-DD), for demos and tests | the real date |
| ZHICHENG_DATABASE_URL | SQLAlchemy URL of the project's own tables | sqlite:///var/zhicheng.db |
| ZHICHENG_NOTICES_DIR | folder of notice YAML files | policies/notices |
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Mapping, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    today_override: Optional[dt.date]
    database_url: str
    notices_dir: Optional[str]

    def today(self) -> dt.date:
        return self.today_override or dt.date.today()


def _parse_day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise SettingsError(f"ZHICHENG_TODAY must be YYYY-MM-DD, got {raw!r}") from exc


def get_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    env = os.environ if env is None else env
    raw_today = env.get("ZHICHENG_TODAY", "").strip()
    return Settings(
        today_override=_parse_day(raw_today) if raw_today else None,
        database_url=env.get("ZHICHENG_DATABASE_URL") or f"sqlite:///{os.path.join(ROOT, 'var', 'zhicheng.db')}",
        notices_dir=env.get("ZHICHENG_NOTICES_DIR") or None,
    )
