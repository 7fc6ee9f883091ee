"""Typed settings of the WeChat channel, from its block in credentials.yml or, for every key the
block leaves out, from the ``WECHAT_…`` environment variable (an empty value means the default).

| key | env (Makefile) | default |
| --- | --- | --- |
| token | WECHAT_TOKEN | empty: channel off, webhook answers 503 |
| app_id | WECHAT_APP_ID | empty |
| app_secret | WECHAT_APP_SECRET | empty: no customer-service messages |
| encoding_aes_key | WECHAT_ENCODING_AES_KEY | empty (needed for compatible and safe) |
| mode | WECHAT_MODE | plain (plain, compatible or safe) |
| api_base | WECHAT_API_BASE | https://api.weixin.qq.com |
| reply_budget | WECHAT_REPLY_BUDGET | 4.0 seconds for a passive reply |
| timestamp_window | WECHAT_TIMESTAMP_WINDOW | 300 seconds |
| max_body_bytes | WECHAT_MAX_BODY_BYTES | 65536 |
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from bot.settings import get_settings

MODES = ("plain", "compatible", "safe")
DEFAULT_API_BASE = "https://api.weixin.qq.com"


class WeChatSettingsError(ValueError):
    pass


@dataclass(frozen=True)
class WeChatSettings:
    token: str = ""
    app_id: str = ""
    app_secret: str = ""
    encoding_aes_key: str = ""
    mode: str = "plain"
    api_base: str = DEFAULT_API_BASE
    reply_budget: float = 4.0
    timestamp_window: float = 300.0
    max_body_bytes: int = 65536
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


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _number(raw: Any, default: float, name: str, minimum: float) -> float:
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


def from_credentials(credentials: Optional[Mapping[str, Any]],
                     env: Optional[Mapping[str, str]] = None) -> WeChatSettings:
    """Settings from the channel's credentials block; a key the block leaves out (not one it
    leaves empty) is read from its ``WECHAT_*`` environment variable, so ``rasa run`` needs no empty variables exported (no
    token anywhere → channel off)."""
    import os

    env = os.environ if env is None else env
    c = {key: env.get(var, "") for key, var in ENV_KEYS.items()}
    c.update(dict(credentials or {}))  # a key written in the block wins, even when empty
    mode = _text(c.get("mode")).lower() or "plain"
    if mode not in MODES:
        raise WeChatSettingsError(f"wechat mode must be one of {', '.join(MODES)}, got {mode!r}")
    settings = WeChatSettings(
        token=_text(c.get("token")),
        app_id=_text(c.get("app_id")),
        app_secret=_text(c.get("app_secret")),
        encoding_aes_key=_text(c.get("encoding_aes_key")),
        mode=mode,
        api_base=(_text(c.get("api_base")) or DEFAULT_API_BASE).rstrip("/"),
        reply_budget=_number(c.get("reply_budget"), 4.0, "reply_budget", 0.1),
        timestamp_window=_number(c.get("timestamp_window"), 300.0, "timestamp_window", 1.0),
        max_body_bytes=int(_number(c.get("max_body_bytes"), 65536, "max_body_bytes", 512)),
        database_url=_text(c.get("database_url")) or get_settings().database_url,
    )
    if settings.reply_budget > 4.8:
        raise WeChatSettingsError("wechat reply_budget must be at most 4.8 seconds (WeChat waits 5)")
    if settings.enabled and mode != "plain" and not (settings.encoding_aes_key and settings.app_id):
        raise WeChatSettingsError(f"wechat mode {mode} needs encoding_aes_key and app_id")
    return settings


ENV_KEYS = {"token": "WECHAT_TOKEN", "app_id": "WECHAT_APP_ID", "app_secret": "WECHAT_APP_SECRET",
            "encoding_aes_key": "WECHAT_ENCODING_AES_KEY", "mode": "WECHAT_MODE", "api_base": "WECHAT_API_BASE",
            "reply_budget": "WECHAT_REPLY_BUDGET", "timestamp_window": "WECHAT_TIMESTAMP_WINDOW",
            "max_body_bytes": "WECHAT_MAX_BODY_BYTES"}


def from_env(env: Optional[Mapping[str, str]] = None) -> WeChatSettings:
    """The same settings read straight from the WECHAT_* variables (for commands such as the menu)."""
    import os

    env = os.environ if env is None else env
    return from_credentials({key: env.get(var, "") for key, var in ENV_KEYS.items()}, env)
