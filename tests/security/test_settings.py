"""Safe defaults in one place: tokens generated on first run, loopback for internal services,
never a CORS wildcard, the API always with a token."""

from __future__ import annotations

import os

import pytest

from bot.settings import SettingsError, ensure_token, get_security_settings, rasa_run_args


def test_defaults_are_safe():
    s = get_security_settings({})
    assert s.action_host == "127.0.0.1" and s.max_message_chars == 500 and s.max_body_bytes == 65536
    assert all(o.startswith(("http://localhost", "http://127.0.0.1")) for o in s.cors_origins)
    assert s.action_token == ""  # the action server refuses every call without one


@pytest.mark.parametrize("raw", ["*", "http://a.example *", "evil.example", "javascript:alert(1)"])
def test_a_cors_wildcard_or_junk_is_refused(raw):
    with pytest.raises(SettingsError):
        get_security_settings({"ZHICHENG_CORS_ORIGINS": raw})


def test_tokens_are_generated_once_private_and_the_environment_wins(tmp_path):
    first = ensure_token("ACTION_SERVER_TOKEN", {}, str(tmp_path))
    assert len(first) >= 40 and ensure_token("ACTION_SERVER_TOKEN", {}, str(tmp_path)) == first
    assert os.stat(tmp_path / "action_server_token").st_mode & 0o777 == 0o600
    assert ensure_token("ACTION_SERVER_TOKEN", {"ACTION_SERVER_TOKEN": "given"}, str(tmp_path)) == "given"


def test_rasa_runs_with_its_api_behind_the_token_and_without_cors():
    args = rasa_run_args({"RASA_AUTH_TOKEN": "t0k", "RASA_HOST": "127.0.0.1"}, port=5999)
    assert "--auth-token=t0k" in args and "--enable-api" in args
    assert args[args.index("-i") + 1] == "127.0.0.1" and args[args.index("--port") + 1] == "5999"
    assert "--cors" not in args


def test_a_token_starting_with_a_dash_stays_one_argument():
    """About 1 generated token in 64 starts with "-": as a separate argument rasa run refused it."""
    args = rasa_run_args({"RASA_AUTH_TOKEN": "-x1"}, port=5005)
    assert "--auth-token=-x1" in args and "-x1" not in args
