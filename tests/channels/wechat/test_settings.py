"""Settings from credentials.yml: the real file loads with nothing set (channel off; every default in
bot/settings.py, none restated in the Makefile),
bad values fail with a clear message, pseudonyms hide the OpenID."""

import re

import pytest

from bot.plugins.wechat.settings import WeChatSettingsError, from_credentials, from_env
from tests.helpers import ROOT


def settings_variables() -> set:
    """Every environment variable bot/settings.py reads."""
    text = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'env(?:\.get\(|, )"([A-Z][A-Z0-9_]+)"', text)) | set(re.findall(r'"(WECHAT_[A-Z_]+)"', text))


def test_the_makefile_restates_no_setting():
    """Each default is written once, in bot/settings.py: the Makefile exports none of its variables
    (no empty WECHAT_* either)."""
    exported = set(re.findall(r"^export (\w+)", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.MULTILINE))
    read = settings_variables()
    assert {"WECHAT_TOKEN", "ZHICHENG_DATABASE_URL", "RASA_PORT", "STAFF_PORT"} <= read
    assert exported & read == set()


def test_real_credentials_file_loads_with_the_channel_off_when_nothing_is_set(monkeypatch):
    from rasa.core.run import create_http_input_channels

    from bot.plugins.channels.wechat import WeChatInput

    for key in [v for v in settings_variables() if v.startswith("WECHAT_")]:
        monkeypatch.delenv(key, raising=False)
    channels = create_http_input_channels(None, str(ROOT / "credentials.yml"))
    wechat = [c for c in channels if isinstance(c, WeChatInput)]
    assert len(wechat) == 1 and wechat[0].name() == "wechat"
    s = wechat[0].settings
    assert not s.enabled and s.mode == "plain" and s.reply_budget == 4.0 and s.api_base == "https://api.weixin.qq.com"
    assert from_env({}) == s


def test_values_from_the_environment_are_typed():
    s = from_credentials(
        {
            "token": " t ",
            "mode": "SAFE",
            "app_id": "wx1",
            "encoding_aes_key": "k" * 43,
            "reply_budget": "3.5",
            "timestamp_window": "60",
            "max_body_bytes": "4096",
            "api_base": "http://127.0.0.1:1/",
        }
    )
    assert (s.token, s.mode, s.reply_budget, s.timestamp_window, s.max_body_bytes, s.api_base) == (
        "t",
        "safe",
        3.5,
        60.0,
        4096,
        "http://127.0.0.1:1",
    )
    assert s.enabled and not s.can_push and s.turns_at_once == 2
    assert from_credentials({"token": "t", "turns_at_once": "3"}).turns_at_once == 3


@pytest.mark.parametrize(
    "creds,message",
    [
        ({"token": "t", "mode": "secret"}, "mode"),
        ({"token": "t", "reply_budget": "soon"}, "reply_budget"),
        ({"token": "t", "max_body_bytes": "10"}, "max_body_bytes"),
        ({"token": "t", "reply_budget": "5"}, "4.8"),
        ({"token": "t", "turns_at_once": "0"}, "turns_at_once"),
        ({"token": "t", "mode": "safe"}, "encoding_aes_key"),
    ],
)
def test_bad_settings_say_what_is_wrong(creds, message):
    with pytest.raises(WeChatSettingsError, match=message):
        from_credentials(creds)


def test_pseudonym_is_stable_keyed_and_hides_the_openid():
    a = from_credentials({"token": "t", "app_secret": "s1"})
    b = from_credentials({"token": "t", "app_secret": "s2"})
    openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    assert a.pseudonym(openid) == a.pseudonym(openid) and a.pseudonym(openid).startswith("wx-")
    assert a.pseudonym(openid) != b.pseudonym(openid) != a.pseudonym(openid + "x")
    assert openid not in a.pseudonym(openid) and len(a.pseudonym(openid)) == 35
