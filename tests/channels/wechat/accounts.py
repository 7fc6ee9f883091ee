"""The test WeChat accounts: the credentials the fake WeChat (fake_wechat.py) and the shared Rasa
servers (tests/conftest.py) agree on, and the channels file that serves them."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import ROOT

TOKEN = "zhicheng-test-token"
APP_ID = "wx1234567890abcdef"
APP_SECRET = "test-app-secret-0123456789"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
BUDGET = 4.0  # the reply budget of every WeChat channel of the shared servers


def credentials_file(workdir: Path, api_base: str) -> Path:
    """credentials.yml plus two more WeChat channels (tests/channels/wechat/channels.py): ``wechat``
    stays the real block, configured by the WECHAT_* variables; ``wechat_safe`` is a safe-mode
    account and ``wechat_off`` one without a token."""
    text = (ROOT / "credentials.yml").read_text(encoding="utf-8")
    assert "bot.plugins.channels.wechat.WeChatInput:" in text  # the real block, configured by WECHAT_* below
    extra = "\n".join(
        [
            "",
            "tests.channels.wechat.channels.SafeWeChatInput:",
            f"  token: {TOKEN}",
            f"  app_id: {APP_ID}",
            f"  app_secret: {APP_SECRET}",
            f"  encoding_aes_key: {AES_KEY}",
            "  mode: safe",
            f"  api_base: {api_base}",
            f"  reply_budget: {BUDGET}",
            "tests.channels.wechat.channels.OffWeChatInput:",
            "  token:",
            "",
        ]
    )
    path = workdir / "credentials.yml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def plain_channel_env(api_base: str) -> dict:
    """The WECHAT_* variables of the real ``wechat`` channel: plain mode, the fake's API."""
    return {
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_ENCODING_AES_KEY": "",
        "WECHAT_MODE": "plain",
        "WECHAT_API_BASE": api_base,
        "WECHAT_REPLY_BUDGET": str(BUDGET),
        "WECHAT_TIMESTAMP_WINDOW": "300",
        "WECHAT_MAX_BODY_BYTES": "16384",
        "WECHAT_TURNS_AT_ONCE": "2",
    }
