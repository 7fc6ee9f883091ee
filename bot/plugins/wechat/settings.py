"""The WeChat channel's settings: the ``wechat`` section of :mod:`bot.settings`, which reads the
``WECHAT_*`` variables and holds every default. A key written in the channel's credentials.yml
block wins over its variable (an empty value there means the default). Re-exported here for the
WeChat package."""

from __future__ import annotations

from typing import Mapping, Optional

from bot.settings import DEFAULT_API_BASE, MODES, WeChatSettings, WeChatSettingsError, read_wechat
from bot.settings import WECHAT_ENV_KEYS as ENV_KEYS
from bot.settings import wechat_from_credentials as from_credentials


def from_env(env: Optional[Mapping[str, str]] = None) -> WeChatSettings:
    """The settings read straight from the WECHAT_* variables (for commands such as the menu)."""
    import os

    return read_wechat(os.environ if env is None else env)


__all__ = [
    "DEFAULT_API_BASE",
    "ENV_KEYS",
    "MODES",
    "WeChatSettings",
    "WeChatSettingsError",
    "from_credentials",
    "from_env",
]
