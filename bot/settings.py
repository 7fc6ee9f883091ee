"""Typed settings from environment variables, with working local defaults.

| variable | meaning | default |
| --- | --- | --- |
| ZHICHENG_TODAY | the day deadlines are counted from (YYYY-MM-DD), for demos and tests | the real date |
| ZHICHENG_DATABASE_URL | SQLAlchemy URL of the project's own tables | sqlite:///var/zhicheng.db |
| ZHICHENG_NOTICES_DIR | folder of notice YAML files | policies/notices |
| RASA_AUTH_TOKEN | token of Rasa's HTTP API (``?token=``); the staff page sends it | generated into var/rasa_auth_token |
| ACTION_SERVER_TOKEN | shared secret Rasa sends to the action server (header ``X-Action-Token``) | generated into var/action_server_token |
| RASA_HOST / RASA_PORT | where Rasa (channels + token-protected API) listens | 0.0.0.0 / 5005 |
| ACTION_SERVER_HOST / ACTION_SERVER_PORT | where the action server listens (only Rasa calls it) | 127.0.0.1 / 5055 |
| ZHICHENG_CORS_ORIGINS | origins (space or comma separated) of the pages that embed the chat widget; its socket.io connection is refused from any other site (the server's own origin is always allowed). ``*`` is refused | http://localhost:5005 http://127.0.0.1:5005 |
| ZHICHENG_MAX_MESSAGE_CHARS | longest message any channel passes on; longer ones get a polite reply and are not processed | 500 |
| ZHICHENG_MAX_BODY_BYTES | largest request body the Rasa server reads (REST, socket.io, API) | 65536 |

``python -m bot.settings exports`` prints ``export`` lines for the two tokens (generating them on
first run) and ``python -m bot.settings rasa-args`` the ``rasa run`` flags that follow from these
settings; ``make run`` uses both.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import shlex
import sys
from dataclasses import dataclass
from typing import List, Mapping, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VAR_DIR = os.path.join(ROOT, "var")
DEFAULT_CORS_ORIGINS = ("http://localhost:5005", "http://127.0.0.1:5005")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    today_override: Optional[dt.date]
    database_url: str
    notices_dir: Optional[str]

    def today(self) -> dt.date:
        return self.today_override or dt.date.today()


@dataclass(frozen=True)
class SecuritySettings:
    """What is exposed and how much any message may cost (docs/security.md)."""

    rasa_host: str = "0.0.0.0"
    rasa_port: int = 5005
    action_host: str = "127.0.0.1"
    action_port: int = 5055
    cors_origins: Tuple[str, ...] = DEFAULT_CORS_ORIGINS
    max_message_chars: int = 500
    max_body_bytes: int = 65536
    action_token: str = ""  # empty: the action server refuses every call (never open by accident)


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


def _int(env: Mapping[str, str], name: str, default: int, low: int = 1, high: int = 10**9) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def parse_origins(raw: Optional[str]) -> Tuple[str, ...]:
    """Origins separated by spaces or commas; ``*`` (any site, with credentials) is refused."""
    if raw is None:
        return DEFAULT_CORS_ORIGINS
    origins = tuple(o.rstrip("/") for o in re.split(r"[\s,]+", raw.strip()) if o)
    for origin in origins:
        if origin == "*" or not _ORIGIN.match(origin):
            raise SettingsError(f"ZHICHENG_CORS_ORIGINS: {origin!r} is not an origin like https://www.example.gov.cn "
                                "(a wildcard would let any web page use the API with a visitor's credentials)")
    return origins


def get_security_settings(env: Optional[Mapping[str, str]] = None) -> SecuritySettings:
    env = os.environ if env is None else env
    return SecuritySettings(
        rasa_host=(env.get("RASA_HOST") or "0.0.0.0").strip(),
        rasa_port=_int(env, "RASA_PORT", 5005, high=65535),
        action_host=(env.get("ACTION_SERVER_HOST") or "127.0.0.1").strip(),
        action_port=_int(env, "ACTION_SERVER_PORT", 5055, high=65535),
        cors_origins=parse_origins(env.get("ZHICHENG_CORS_ORIGINS")),
        max_message_chars=_int(env, "ZHICHENG_MAX_MESSAGE_CHARS", 500, high=10000),
        max_body_bytes=_int(env, "ZHICHENG_MAX_BODY_BYTES", 65536, low=1024, high=100_000_000),
        action_token=(env.get("ACTION_SERVER_TOKEN") or "").strip(),
    )


# --- secrets generated on first run -------------------------------------------------------------
TOKEN_FILES = {"RASA_AUTH_TOKEN": "rasa_auth_token", "ACTION_SERVER_TOKEN": "action_server_token"}


def ensure_token(name: str, env: Optional[Mapping[str, str]] = None, var_dir: str = VAR_DIR) -> str:
    """The token from the environment, else from ``var/<file>``, else a new random one written
    there (readable by its owner only). Never printed to logs, never in the repository."""
    env = os.environ if env is None else env
    given = (env.get(name) or "").strip()
    if given:
        return given
    path = os.path.join(var_dir, TOKEN_FILES[name])
    try:
        with open(path, encoding="utf-8") as f:
            stored = f.read().strip()
        if stored:
            return stored
    except FileNotFoundError:
        pass
    os.makedirs(var_dir, exist_ok=True)
    token = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(token + "\n")
    return token


def rasa_run_args(env: Optional[Mapping[str, str]] = None, port: Optional[int] = None) -> List[str]:
    """The ``rasa run`` flags for the HTTP side: bind address, and the API only with its token."""
    env = os.environ if env is None else env
    sec = get_security_settings(env)
    # No --cors: Rasa's HTTP API and the REST webhook are not for browsers on other sites. The
    # widget's socket.io connection checks ZHICHENG_CORS_ORIGINS itself (bot/channels/webchat.py).
    return ["-i", sec.rasa_host, "--port", str(port or sec.rasa_port), "--enable-api",
            "--auth-token", ensure_token("RASA_AUTH_TOKEN", env)]


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv else ""
    if command == "exports":
        for name in TOKEN_FILES:
            print(f"export {name}={shlex.quote(ensure_token(name))}")
        return 0
    if command == "rasa-args":
        print(" ".join(shlex.quote(a) for a in rasa_run_args()))
        return 0
    print("usage: python -m bot.settings exports | rasa-args", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
