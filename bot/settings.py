"""Every setting of the project, typed and in sections, read from environment variables in this
one module, with each default written once (the ``DEFAULT_*`` constants below).

``get_settings()`` returns a :class:`Settings` whose sections are read on first use, so a bad
variable of one part (say ``STAFF_COOKIE_SECURE``) never stops another part from starting:

- ``core``: the day, the notices folder and the project database;
- ``rasa``: where Rasa listens and how it is reached (URL, API token, CORS origins, limits);
- ``action``: where the action server listens and the secret Rasa sends it;
- ``staff``: the staff service (``bot.staff``);
- ``retention``: how long personal data is kept (``bot.storage.purge``, docs/retention.md);
- ``wechat``: the WeChat channel from its ``WECHAT_*`` variables (``bot.plugins.wechat``; credentials.yml
  may override them, see :func:`wechat_from_credentials`).

``bot.staff.settings`` and ``bot.plugins.wechat.settings`` only re-export from here.

| variable | meaning | default |
| --- | --- | --- |
| ZHICHENG_TODAY | the day deadlines are counted from (YYYY-MM-DD), for demos and tests | the real date |
| ZHICHENG_DATABASE_URL | SQLAlchemy URL of the project's own tables | sqlite:///var/zhicheng.db |
| ZHICHENG_NOTICES_DIR | folder of notice YAML files | policies/notices |
| RASA_URL | the Rasa server the staff page asks (``/model/parse``) | http://localhost:5005 |
| RASA_AUTH_TOKEN | token of Rasa's HTTP API (``?token=``); the staff page sends it | generated into var/rasa_auth_token |
| ACTION_SERVER_TOKEN | shared secret Rasa sends to the action server (header ``X-Action-Token``) | generated into var/action_server_token |
| RASA_HOST / RASA_PORT | where Rasa (channels + token-protected API) listens | 0.0.0.0 / 5005 |
| ACTION_SERVER_HOST / ACTION_SERVER_PORT | where the action server listens (only Rasa calls it) | 127.0.0.1 / 5055 |
| ZHICHENG_CORS_ORIGINS | origins (space or comma separated) of the pages that embed the chat widget; its socket.io connection is refused from any other site (the server's own origin is always allowed). ``*`` is refused | http://localhost:5005 http://127.0.0.1:5005 |
| ZHICHENG_MAX_MESSAGE_CHARS | longest message any channel passes on; longer ones get a polite reply and are not processed | 500 |
| ZHICHENG_MAX_BODY_BYTES | largest request body the Rasa server reads (REST, socket.io, API) | 65536 |
| ZHICHENG_TURN_BUDGET | seconds a channel waits for a turn before it tells the user the answer is still coming (the turn itself is never cut) | 10 |
| ZHICHENG_FEEDBACK_PER_SESSION / ZHICHENG_FEEDBACK_PER_ADDRESS | ratings (有帮助 / 没帮助) taken per minute from one conversation (widget session, WeChat user) / one client address (widget); more are refused and not stored | 5 / 30 |
| ZHICHENG_TRUST_PROXY | ``1``: the Rasa server takes the client address from the last ``X-Forwarded-For`` entry (set by the proxy in front, e.g. the production profile's nginx) | 0 |
| STAFF_HOST / STAFF_PORT | where the staff service listens | 127.0.0.1 / 8080 |
| STAFF_RASA_TIMEOUT | seconds the staff page waits for Rasa's parse | 1.5 |
| STAFF_COOKIE_SECURE | ``auto`` (Secure when the request came over HTTPS), ``always`` or ``never`` | auto |
| STAFF_TRUST_PROXY | ``1``: believe ``X-Forwarded-Proto`` / ``X-Forwarded-For`` from the proxy in front | 0 |
| STAFF_SESSION_HOURS | a staff session ends this long after it was last used | 8 |
| STAFF_SESSION_MAX_HOURS | … and at the latest this long after login | 12 |
| STAFF_LOGIN_MAX_FAILURES / STAFF_LOGIN_WINDOW_MINUTES | login rate limit, per account and per IP | 5 / 15 |
| STAFF_TIMEZONE | times are shown in this zone (stored in UTC) | Asia/Shanghai |
| TRACKER_STORE_URL | Rasa's SQL tracker store (the staff page reads chat transcripts from it) | sqlite:///var/tracker.db |
| ZHICHENG_RETENTION_DAYS | days conversations, inbox rows and assessment facts are kept (``python -m bot.storage.purge``) | 180 |
| ZHICHENG_AUDIT_RETENTION_DAYS | days the staff audit log is kept (at least 180: 《网络安全法》第二十一条 asks for six months of logs) | 365 |
| WECHAT_TOKEN | WeChat token | empty: channel off, webhook answers 503 |
| WECHAT_APP_ID / WECHAT_APP_SECRET | AppID / AppSecret | empty: no customer-service messages |
| WECHAT_ENCODING_AES_KEY | message key | empty (needed for compatible and safe) |
| WECHAT_MODE | plain, compatible or safe | plain |
| WECHAT_API_BASE | WeChat's API | https://api.weixin.qq.com |
| WECHAT_REPLY_BUDGET | seconds for a passive reply | 4.0 |
| WECHAT_TIMESTAMP_WINDOW | seconds a signed request stays valid | 300 |
| WECHAT_MAX_BODY_BYTES | largest webhook body | 65536 |
| WECHAT_TURNS_AT_ONCE | conversation turns the channel runs at once per worker (the rest queue) | 2 |

``python -m bot.settings exports`` prints ``export`` lines for the two tokens (generating them on
first run) and ``python -m bot.settings rasa-args`` the ``rasa run`` flags that follow from these
settings; ``make run`` uses both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import shlex
import sys
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VAR_DIR = os.path.join(ROOT, "var")


def _root_sqlite(raw: str) -> str:
    """A relative SQLite path is resolved against the repository root (where Rasa runs)."""
    prefix = "sqlite:///"
    if raw.startswith(prefix) and not raw[len(prefix) :].startswith("/") and raw[len(prefix) :] not in ("", ":memory:"):
        return prefix + os.path.join(ROOT, raw[len(prefix) :])
    return raw


# --- every default, once ------------------------------------------------------------------------
DEFAULT_DATABASE_URL = _root_sqlite("sqlite:///var/zhicheng.db")
DEFAULT_TRACKER_STORE_URL = "sqlite:///var/tracker.db"  # as Rasa reads it (relative to the root)
DEFAULT_RASA_URL = "http://localhost:5005"
DEFAULT_RASA_HOST = "0.0.0.0"
DEFAULT_RASA_PORT = 5005
DEFAULT_ACTION_HOST = "127.0.0.1"
DEFAULT_ACTION_PORT = 5055
DEFAULT_ACTION_ENDPOINT_URL = f"http://localhost:{DEFAULT_ACTION_PORT}/webhook"  # endpoints.yml
DEFAULT_CORS_ORIGINS = ("http://localhost:5005", "http://127.0.0.1:5005")
DEFAULT_MAX_MESSAGE_CHARS = 500
DEFAULT_MAX_BODY_BYTES = 65536
DEFAULT_TURN_BUDGET = 10  # seconds
DEFAULT_FEEDBACK_PER_SESSION = 5  # ratings per minute from one conversation
DEFAULT_FEEDBACK_PER_ADDRESS = 30  # ratings per minute from one client address
DEFAULT_STAFF_HOST = "127.0.0.1"
DEFAULT_STAFF_PORT = 8080
DEFAULT_STAFF_RASA_TIMEOUT = 1.5
DEFAULT_COOKIE_SECURE = "auto"  # auto / always / never
DEFAULT_SESSION_HOURS = 8.0
DEFAULT_SESSION_MAX_HOURS = 12.0
DEFAULT_LOGIN_MAX_FAILURES = 5
DEFAULT_LOGIN_WINDOW_MINUTES = 15.0
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_WECHAT_MODE = "plain"
DEFAULT_API_BASE = "https://api.weixin.qq.com"
DEFAULT_REPLY_BUDGET = 4.0
DEFAULT_TIMESTAMP_WINDOW = 300.0
DEFAULT_WECHAT_MAX_BODY_BYTES = 65536
DEFAULT_TURNS_AT_ONCE = 2
DEFAULT_RETENTION_DAYS = 180
DEFAULT_AUDIT_RETENTION_DAYS = 365  # the audit log outlives the data it records access to
MIN_AUDIT_RETENTION_DAYS = 180  # six months of logs (《网络安全法》第二十一条)

COOKIE_SECURE_CHOICES = ("auto", "always", "never")
MODES = ("plain", "compatible", "safe")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")


class SettingsError(ValueError):
    pass


def utc_now() -> dt.datetime:
    """The real clock, as an aware UTC datetime: the one place the settings read it."""
    return dt.datetime.now(dt.timezone.utc)


def local_today(zone: str, override: Optional[dt.date] = None) -> dt.date:
    """Today in ``zone`` (the notices' and the bureau's days are Beijing days), whatever the
    server's own time zone; ``override`` (ZHICHENG_TODAY) wins for demos and tests."""
    return override or utc_now().astimezone(ZoneInfo(zone)).date()


class WeChatSettingsError(SettingsError):
    pass


# --- sections -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CoreSettings:
    today_override: Optional[dt.date] = None
    database_url: str = DEFAULT_DATABASE_URL
    notices_dir: Optional[str] = None

    def today(self) -> dt.date:
        """The applicant's today: a Beijing day, as the notices' deadlines are."""
        return local_today(DEFAULT_TIMEZONE, self.today_override)


@dataclass(frozen=True)
class RasaSettings:
    url: str = DEFAULT_RASA_URL  # how other parts reach Rasa
    token: Optional[str] = None  # its HTTP API token (None: not given)
    host: str = DEFAULT_RASA_HOST
    port: int = DEFAULT_RASA_PORT
    cors_origins: Tuple[str, ...] = DEFAULT_CORS_ORIGINS
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    turn_budget: int = DEFAULT_TURN_BUDGET
    feedback_per_session: int = DEFAULT_FEEDBACK_PER_SESSION
    feedback_per_address: int = DEFAULT_FEEDBACK_PER_ADDRESS
    trust_proxy: bool = False


@dataclass(frozen=True)
class ActionServerSettings:
    host: str = DEFAULT_ACTION_HOST
    port: int = DEFAULT_ACTION_PORT
    token: str = ""  # empty: the action server refuses every call (never open by accident)


@dataclass(frozen=True)
class SecuritySettings:
    """What is exposed and how much any message may cost (docs/security.md): the ``rasa`` and
    ``action`` sections side by side, as the channels and the action server read them."""

    rasa_host: str = DEFAULT_RASA_HOST
    rasa_port: int = DEFAULT_RASA_PORT
    action_host: str = DEFAULT_ACTION_HOST
    action_port: int = DEFAULT_ACTION_PORT
    cors_origins: Tuple[str, ...] = DEFAULT_CORS_ORIGINS
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    turn_budget: int = DEFAULT_TURN_BUDGET
    action_token: str = ""  # empty: the action server refuses every call (never open by accident)
    feedback_per_session: int = DEFAULT_FEEDBACK_PER_SESSION
    feedback_per_address: int = DEFAULT_FEEDBACK_PER_ADDRESS
    trust_proxy: bool = False  # the client address from X-Forwarded-For (a proxy in front)


@dataclass(frozen=True)
class StaffSettings:
    """The staff service's settings (with the core and Rasa values it needs, flat)."""

    host: str = DEFAULT_STAFF_HOST
    port: int = DEFAULT_STAFF_PORT
    rasa_url: str = DEFAULT_RASA_URL
    rasa_timeout: float = DEFAULT_STAFF_RASA_TIMEOUT
    rasa_token: Optional[str] = None
    cookie_secure: str = DEFAULT_COOKIE_SECURE
    trust_proxy: bool = False
    session_hours: float = DEFAULT_SESSION_HOURS
    session_max_hours: float = DEFAULT_SESSION_MAX_HOURS
    login_max_failures: int = DEFAULT_LOGIN_MAX_FAILURES
    login_window_minutes: float = DEFAULT_LOGIN_WINDOW_MINUTES
    database_url: str = DEFAULT_DATABASE_URL
    tracker_store_url: str = _root_sqlite(DEFAULT_TRACKER_STORE_URL)
    notices_dir: Optional[str] = None
    timezone: str = DEFAULT_TIMEZONE
    today_override: Optional[dt.date] = None

    def today(self) -> dt.date:
        """Today in the staff's time zone, the zone the dashboard counts days in."""
        return local_today(self.timezone, self.today_override)


@dataclass(frozen=True)
class RetentionSettings:
    """How long personal data is kept, and where it is (``bot.storage.purge``, docs/retention.md)."""

    days: int = DEFAULT_RETENTION_DAYS
    audit_days: int = DEFAULT_AUDIT_RETENTION_DAYS
    database_url: str = DEFAULT_DATABASE_URL
    tracker_store_url: str = _root_sqlite(DEFAULT_TRACKER_STORE_URL)


@dataclass(frozen=True)
class WeChatSettings:
    token: str = ""
    app_id: str = ""
    app_secret: str = ""
    encoding_aes_key: str = ""
    mode: str = DEFAULT_WECHAT_MODE
    api_base: str = DEFAULT_API_BASE
    reply_budget: float = DEFAULT_REPLY_BUDGET
    timestamp_window: float = DEFAULT_TIMESTAMP_WINDOW
    max_body_bytes: int = DEFAULT_WECHAT_MAX_BODY_BYTES
    turns_at_once: int = DEFAULT_TURNS_AT_ONCE
    database_url: str = ""

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    @property
    def can_push(self) -> bool:
        """Customer-service messages need the AppID and AppSecret."""
        return bool(self.app_id and self.app_secret)

    def pseudonym(self, openid: str) -> str:
        """Rasa's sender id for an OpenID: a keyed hash, so the OpenID itself is never stored."""
        key = (self.app_secret or self.token).encode("utf-8")
        return "wx-" + hmac.new(key, openid.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def message_key(self, raw: str) -> str:
        """The dedupe key stored for a MsgId (or FromUserName + CreateTime), keyed like pseudonyms."""
        key = (self.app_secret or self.token).encode("utf-8")
        return hmac.new(key, raw.encode("utf-8"), hashlib.sha256).hexdigest()[:40]


# --- parsing helpers ----------------------------------------------------------------------------
def _parse_day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise SettingsError(f"ZHICHENG_TODAY must be YYYY-MM-DD, got {raw!r}") from exc


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


def _positive(env: Mapping[str, str], name: str, default: float, kind: Callable[[str], Any] = float) -> Any:
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


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _wechat_number(raw: Any, default: float, name: str, minimum: float) -> float:
    text = _text(raw)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError as exc:
        raise WeChatSettingsError(f"wechat {name} must be a number, got {text!r}") from exc
    if value < minimum:
        raise WeChatSettingsError(f"wechat {name} must be at least {minimum}")
    return value


def parse_origins(raw: Optional[str]) -> Tuple[str, ...]:
    """Origins separated by spaces or commas; ``*`` (any site, with credentials) is refused."""
    if raw is None:
        return DEFAULT_CORS_ORIGINS
    origins = tuple(o.rstrip("/") for o in re.split(r"[\s,]+", raw.strip()) if o)
    for origin in origins:
        if origin == "*" or not _ORIGIN.match(origin):
            raise SettingsError(
                f"ZHICHENG_CORS_ORIGINS: {origin!r} is not an origin like https://www.example.gov.cn "
                "(a wildcard would let any web page use the API with a visitor's credentials)"
            )
    return origins


def _rasa_url(env: Mapping[str, str]) -> str:
    return (env.get("RASA_URL") or DEFAULT_RASA_URL).rstrip("/")


def _rasa_token(env: Mapping[str, str]) -> Optional[str]:
    return (env.get("RASA_AUTH_TOKEN") or "").strip() or None


# --- reading each section -----------------------------------------------------------------------
def read_core(env: Mapping[str, str]) -> CoreSettings:
    raw_today = env.get("ZHICHENG_TODAY", "").strip()
    return CoreSettings(
        today_override=_parse_day(raw_today) if raw_today else None,
        database_url=env.get("ZHICHENG_DATABASE_URL") or DEFAULT_DATABASE_URL,
        notices_dir=env.get("ZHICHENG_NOTICES_DIR") or None,
    )


def read_rasa(env: Mapping[str, str]) -> RasaSettings:
    return RasaSettings(
        url=_rasa_url(env),
        token=_rasa_token(env),
        host=(env.get("RASA_HOST") or DEFAULT_RASA_HOST).strip(),
        port=_int(env, "RASA_PORT", DEFAULT_RASA_PORT, high=65535),
        cors_origins=parse_origins(env.get("ZHICHENG_CORS_ORIGINS")),
        max_message_chars=_int(env, "ZHICHENG_MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS, high=10000),
        max_body_bytes=_int(env, "ZHICHENG_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, low=1024, high=100_000_000),
        turn_budget=_int(env, "ZHICHENG_TURN_BUDGET", DEFAULT_TURN_BUDGET, high=600),
        feedback_per_session=_int(env, "ZHICHENG_FEEDBACK_PER_SESSION", DEFAULT_FEEDBACK_PER_SESSION, high=10000),
        feedback_per_address=_int(env, "ZHICHENG_FEEDBACK_PER_ADDRESS", DEFAULT_FEEDBACK_PER_ADDRESS, high=100000),
        trust_proxy=(env.get("ZHICHENG_TRUST_PROXY") or "0").strip().lower() in ("1", "true", "yes"),
    )


def read_action_server(env: Mapping[str, str]) -> ActionServerSettings:
    return ActionServerSettings(
        host=(env.get("ACTION_SERVER_HOST") or DEFAULT_ACTION_HOST).strip(),
        port=_int(env, "ACTION_SERVER_PORT", DEFAULT_ACTION_PORT, high=65535),
        token=(env.get("ACTION_SERVER_TOKEN") or "").strip(),
    )


def read_staff(env: Mapping[str, str]) -> StaffSettings:
    core = read_core(env)
    secure = (env.get("STAFF_COOKIE_SECURE") or DEFAULT_COOKIE_SECURE).strip().lower()
    if secure not in COOKIE_SECURE_CHOICES:
        raise SettingsError(f"STAFF_COOKIE_SECURE must be auto, always or never, got {secure!r}")
    return StaffSettings(
        host=env.get("STAFF_HOST") or DEFAULT_STAFF_HOST,
        port=_positive(env, "STAFF_PORT", DEFAULT_STAFF_PORT, int),
        rasa_url=_rasa_url(env),
        rasa_timeout=_positive(env, "STAFF_RASA_TIMEOUT", DEFAULT_STAFF_RASA_TIMEOUT),
        rasa_token=_rasa_token(env),
        cookie_secure=secure,
        trust_proxy=(env.get("STAFF_TRUST_PROXY") or "0").strip().lower() in ("1", "true", "yes"),
        session_hours=_positive(env, "STAFF_SESSION_HOURS", DEFAULT_SESSION_HOURS),
        session_max_hours=_positive(env, "STAFF_SESSION_MAX_HOURS", DEFAULT_SESSION_MAX_HOURS),
        login_max_failures=_positive(env, "STAFF_LOGIN_MAX_FAILURES", DEFAULT_LOGIN_MAX_FAILURES, int),
        login_window_minutes=_positive(env, "STAFF_LOGIN_WINDOW_MINUTES", DEFAULT_LOGIN_WINDOW_MINUTES),
        database_url=core.database_url,
        tracker_store_url=_root_sqlite(env.get("TRACKER_STORE_URL") or DEFAULT_TRACKER_STORE_URL),
        notices_dir=core.notices_dir,
        timezone=env.get("STAFF_TIMEZONE") or DEFAULT_TIMEZONE,
        today_override=core.today_override,
    )


def read_retention(env: Mapping[str, str]) -> RetentionSettings:
    return RetentionSettings(
        days=_int(env, "ZHICHENG_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, low=1, high=36500),
        audit_days=_int(
            env, "ZHICHENG_AUDIT_RETENTION_DAYS", DEFAULT_AUDIT_RETENTION_DAYS, low=MIN_AUDIT_RETENTION_DAYS, high=36500
        ),
        database_url=read_core(env).database_url,
        tracker_store_url=_root_sqlite(env.get("TRACKER_STORE_URL") or DEFAULT_TRACKER_STORE_URL),
    )


WECHAT_ENV_KEYS = {
    "token": "WECHAT_TOKEN",
    "app_id": "WECHAT_APP_ID",
    "app_secret": "WECHAT_APP_SECRET",
    "encoding_aes_key": "WECHAT_ENCODING_AES_KEY",
    "mode": "WECHAT_MODE",
    "api_base": "WECHAT_API_BASE",
    "reply_budget": "WECHAT_REPLY_BUDGET",
    "timestamp_window": "WECHAT_TIMESTAMP_WINDOW",
    "max_body_bytes": "WECHAT_MAX_BODY_BYTES",
    "turns_at_once": "WECHAT_TURNS_AT_ONCE",
}


def wechat_from_credentials(
    credentials: Optional[Mapping[str, Any]], env: Optional[Mapping[str, str]] = None
) -> WeChatSettings:
    """The WeChat section from the channel's credentials block; a key the block leaves out (not
    one it leaves empty) is read from its ``WECHAT_*`` environment variable, so ``rasa run`` needs
    no empty variables exported (no token anywhere → channel off)."""
    env = os.environ if env is None else env
    c: Dict[str, Any] = {key: env.get(var, "") for key, var in WECHAT_ENV_KEYS.items()}
    c.update(dict(credentials or {}))  # a key written in the block wins, even when empty
    mode = _text(c.get("mode")).lower() or DEFAULT_WECHAT_MODE
    if mode not in MODES:
        raise WeChatSettingsError(f"wechat mode must be one of {', '.join(MODES)}, got {mode!r}")
    settings = WeChatSettings(
        token=_text(c.get("token")),
        app_id=_text(c.get("app_id")),
        app_secret=_text(c.get("app_secret")),
        encoding_aes_key=_text(c.get("encoding_aes_key")),
        mode=mode,
        api_base=(_text(c.get("api_base")) or DEFAULT_API_BASE).rstrip("/"),
        reply_budget=_wechat_number(c.get("reply_budget"), DEFAULT_REPLY_BUDGET, "reply_budget", 0.1),
        timestamp_window=_wechat_number(c.get("timestamp_window"), DEFAULT_TIMESTAMP_WINDOW, "timestamp_window", 1.0),
        max_body_bytes=int(
            _wechat_number(c.get("max_body_bytes"), DEFAULT_WECHAT_MAX_BODY_BYTES, "max_body_bytes", 512)
        ),
        turns_at_once=int(_wechat_number(c.get("turns_at_once"), DEFAULT_TURNS_AT_ONCE, "turns_at_once", 1)),
        database_url=_text(c.get("database_url")) or get_settings().core.database_url,
    )
    if settings.reply_budget > 4.8:
        raise WeChatSettingsError("wechat reply_budget must be at most 4.8 seconds (WeChat waits 5)")
    if settings.enabled and mode != "plain" and not (settings.encoding_aes_key and settings.app_id):
        raise WeChatSettingsError(f"wechat mode {mode} needs encoding_aes_key and app_id")
    return settings


def read_wechat(env: Mapping[str, str]) -> WeChatSettings:
    """The WeChat section straight from the WECHAT_* variables (for commands such as the menu)."""
    return wechat_from_credentials({key: env.get(var, "") for key, var in WECHAT_ENV_KEYS.items()}, env)


# --- the settings object ------------------------------------------------------------------------
class Settings:
    """All settings, by section, from one environment mapping; each section is read (and
    checked) on first use."""

    def __init__(self, env: Optional[Mapping[str, str]] = None) -> None:
        self.env: Mapping[str, str] = os.environ if env is None else env

    @cached_property
    def core(self) -> CoreSettings:
        return read_core(self.env)

    @cached_property
    def rasa(self) -> RasaSettings:
        return read_rasa(self.env)

    @cached_property
    def action(self) -> ActionServerSettings:
        return read_action_server(self.env)

    @cached_property
    def staff(self) -> StaffSettings:
        return read_staff(self.env)

    @cached_property
    def retention(self) -> RetentionSettings:
        return read_retention(self.env)

    @cached_property
    def wechat(self) -> WeChatSettings:
        return read_wechat(self.env)

    @cached_property
    def security(self) -> SecuritySettings:
        rasa, action = self.rasa, self.action
        return SecuritySettings(
            rasa_host=rasa.host,
            rasa_port=rasa.port,
            action_host=action.host,
            action_port=action.port,
            cors_origins=rasa.cors_origins,
            max_message_chars=rasa.max_message_chars,
            max_body_bytes=rasa.max_body_bytes,
            turn_budget=rasa.turn_budget,
            action_token=action.token,
            feedback_per_session=rasa.feedback_per_session,
            feedback_per_address=rasa.feedback_per_address,
            trust_proxy=rasa.trust_proxy,
        )

    # the core values, which most callers want
    @property
    def today_override(self) -> Optional[dt.date]:
        return self.core.today_override

    @property
    def database_url(self) -> str:
        return self.core.database_url

    @property
    def notices_dir(self) -> Optional[str]:
        return self.core.notices_dir

    def today(self) -> dt.date:
        return self.core.today()


def get_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    return Settings(env)


def get_security_settings(env: Optional[Mapping[str, str]] = None) -> SecuritySettings:
    return Settings(env).security


def get_staff_settings(env: Optional[Mapping[str, str]] = None) -> StaffSettings:
    return Settings(env).staff


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
    # widget's socket.io connection checks ZHICHENG_CORS_ORIGINS itself (bot/plugins/channels/webchat.py).
    # One argument "--auth-token=T": a generated token may start with "-", which argparse would
    # take for an option as a separate argument.
    return [
        "-i",
        sec.rasa_host,
        "--port",
        str(port or sec.rasa_port),
        "--enable-api",
        f"--auth-token={ensure_token('RASA_AUTH_TOKEN', env)}",
    ]


def rasa_yaml_env(env: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The variables endpoints.yml refers to (Rasa fails on an unset ``${VAR}``): from the
    environment, else the defaults above."""
    env = os.environ if env is None else env
    return {
        "ACTION_ENDPOINT_URL": env.get("ACTION_ENDPOINT_URL") or DEFAULT_ACTION_ENDPOINT_URL,
        "TRACKER_STORE_URL": env.get("TRACKER_STORE_URL") or DEFAULT_TRACKER_STORE_URL,
    }


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv else ""
    if command == "exports":
        # what make run / make shell export before starting Rasa: the generated secrets and the
        # endpoints.yml variables (defaults written once, above)
        for name in TOKEN_FILES:
            print(f"export {name}={shlex.quote(ensure_token(name))}")
        for name, value in rasa_yaml_env().items():
            print(f"export {name}={shlex.quote(value)}")
        return 0
    if command == "rasa-args":
        print(" ".join(shlex.quote(a) for a in rasa_run_args()))
        return 0
    print("usage: python -m bot.settings exports | rasa-args", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
