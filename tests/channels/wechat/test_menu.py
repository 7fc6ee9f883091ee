"""The menu command against the fake WeChat API: the exact JSON WeChat expects, UTF-8 names."""

import json
import os
import subprocess
import sys

from bot.plugins.wechat.menu import MENU, MENU_PAYLOADS
from tests.channels.wechat.fake_wechat import FakeWeChat
from tests.helpers import ROOT

EXPECTED = {
    "button": [
        {"type": "click", "name": "申报条件", "key": "ASK_CONDITIONS"},
        {
            "name": "时间费用",
            "sub_button": [
                {"type": "click", "name": "截止时间", "key": "ASK_DEADLINE"},
                {"type": "click", "name": "评审费", "key": "ASK_FEE"},
            ],
        },
        {"type": "click", "name": "我能报吗", "key": "ASK_ELIGIBILITY"},
    ]
}


def run_menu(env_extra, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WECHAT_")}
    env.update(PYTHONPATH=str(ROOT), **env_extra)
    return subprocess.run(
        [sys.executable, "-m", "bot.plugins.wechat.menu", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_menu_within_wechat_limits_and_every_key_maps_to_an_intent():
    assert MENU == EXPECTED
    assert len(MENU["button"]) <= 3
    for button in MENU["button"]:
        assert len(button["name"].encode()) <= 16  # first level: 4 Chinese characters
        for sub in button.get("sub_button", []):
            assert len(sub["name"].encode()) <= 60
    keys = [b["key"] for b in MENU["button"] if "key" in b] + [
        s["key"] for b in MENU["button"] for s in b.get("sub_button", [])
    ]
    assert {MENU_PAYLOADS[k] for k in keys} == {"/ask_conditions", "/ask_deadline", "/ask_fee", "/ask_eligibility"}


def test_menu_command_installs_the_menu(tmp_path):
    fake = FakeWeChat("tok", "wxmenu0000000001", "menu-secret").start()
    try:
        done = run_menu(
            {
                "WECHAT_APP_ID": "wxmenu0000000001",
                "WECHAT_APP_SECRET": "menu-secret",
                "WECHAT_API_BASE": fake.api_base,
                "ZHICHENG_DATABASE_URL": f"sqlite:///{tmp_path / 'z.db'}",
            }
        )
        assert done.returncode == 0, done.stderr
        assert "menu installed" in done.stdout
        assert fake.menus == [EXPECTED]
        call = [c for c in fake.api_calls if c["path"] == "/cgi-bin/menu/create"][0]
        assert call["query"]["access_token"] == fake.current_token
        assert "申报条件".encode() in call["raw"]  # UTF-8 as written, not \\u escapes
        # wrong secret: WeChat refuses the token; the command says so and fails
        bad = run_menu(
            {
                "WECHAT_APP_ID": "wxmenu0000000001",
                "WECHAT_APP_SECRET": "wrong",
                "WECHAT_API_BASE": fake.api_base,
                "ZHICHENG_DATABASE_URL": f"sqlite:///{tmp_path / 'y.db'}",
            }
        )
        assert bad.returncode == 1 and "40013" in bad.stderr
    finally:
        fake.stop()


def test_menu_command_needs_app_id_and_secret_and_can_print():
    missing = run_menu({})
    assert missing.returncode == 2 and "WECHAT_APP_ID" in missing.stderr
    printed = run_menu({}, "--print")
    assert printed.returncode == 0 and json.loads(printed.stdout) == EXPECTED
