"""The WeChat API client against the fake WeChat server: one token cached in the database and shared
by workers, refreshed before expiry and once when refused; errors logged, never raised."""

import asyncio
import logging
import time

import pytest

from bot.plugins.wechat.api import REFRESH_MARGIN, WeChatAPI
from bot.plugins.wechat.settings import from_credentials
from bot.plugins.wechat.store import WeChatStore
from tests.channels.wechat.fake_wechat import FakeWeChat
from tests.helpers import migrated

APP_ID, SECRET = "wxapitest0000001", "api-secret"


@pytest.fixture
def fake():
    f = FakeWeChat("tok", APP_ID, SECRET).start()
    yield f
    f.stop()


def worker(fake, tmp_path):
    """A fresh API client, as in another Rasa worker, over the same database."""
    settings = from_credentials(
        {
            "token": "tok",
            "app_id": APP_ID,
            "app_secret": SECRET,
            "api_base": fake.api_base,
            "database_url": migrated(f"sqlite:///{tmp_path / 'z.db'}"),
        }
    )
    return WeChatAPI(settings, WeChatStore(settings.database_url))


def token_calls(fake):
    return [c for c in fake.api_calls if c["path"] in ("/cgi-bin/stable_token", "/cgi-bin/token")]


def test_one_token_for_concurrent_sends_and_for_other_workers(fake, tmp_path):
    async def burst():
        api = worker(fake, tmp_path)
        return await asyncio.gather(*(api.send_text("oUser1", f"消息{i}") for i in range(5)))

    assert asyncio.run(burst()) == [True] * 5
    assert len(token_calls(fake)) == 1  # single flight
    assert asyncio.run(worker(fake, tmp_path).send_text("oUser1", "another worker"))
    assert len(token_calls(fake)) == 1  # read from the shared table
    assert fake.messages_to("oUser1")[-1] == "another worker"
    sent = [c for c in fake.api_calls if c["path"] == "/cgi-bin/message/custom/send"][-1]
    assert sent["json"] == {"touser": "oUser1", "msgtype": "text", "text": {"content": "another worker"}}
    assert sent["query"]["access_token"] == fake.current_token


def test_token_is_renewed_before_it_expires(fake, tmp_path):
    api = worker(fake, tmp_path)
    assert asyncio.run(api.send_text("oUser2", "一"))
    api.store.save_token(APP_ID, fake.current_token, time.time() + REFRESH_MARGIN - 10)  # about to expire
    fresh = worker(fake, tmp_path)
    assert asyncio.run(fresh.send_text("oUser2", "二"))
    assert len(token_calls(fake)) == 2
    assert api.store.load_token(APP_ID)[1] > time.time() + 7000


def test_refused_token_is_refreshed_once_and_the_message_resent(fake, tmp_path):
    api = worker(fake, tmp_path)
    assert asyncio.run(api.send_text("oUser3", "一"))
    fake.refuse_next_token = True
    assert asyncio.run(api.send_text("oUser3", "二"))
    assert fake.messages_to("oUser3") == ["一", "二"]
    assert token_calls(fake)[-1]["json"]["force_refresh"] is True


@pytest.mark.parametrize("errcode", [45015, 45047, 40003])
def test_refusals_are_logged_not_raised(fake, tmp_path, caplog, errcode):
    fake.custom_errcode = errcode
    with caplog.at_level(logging.WARNING, logger="bot.plugins.wechat.api"):
        assert asyncio.run(worker(fake, tmp_path).send_text("oSecretOpenId", "迟到的回复", who="wx-pseudonym")) is False
    assert str(errcode) in caplog.text and "wx-pseudonym" in caplog.text
    assert "oSecretOpenId" not in caplog.text


def test_unreachable_api_is_logged_not_raised(tmp_path, caplog):
    settings = from_credentials(
        {
            "token": "t",
            "app_id": APP_ID,
            "app_secret": SECRET,
            "api_base": "http://127.0.0.1:9",
            "database_url": migrated(f"sqlite:///{tmp_path / 'z.db'}"),
        }
    )
    with caplog.at_level(logging.WARNING):
        assert (
            asyncio.run(WeChatAPI(settings, WeChatStore(settings.database_url), timeout=2).send_text("o1", "x"))
            is False
        )
    assert "failed" in caplog.text


def test_the_fake_picks_another_port_when_its_own_was_taken_meanwhile():
    """free_port() only finds a port free; another test run on the machine may bind it before the
    fake does (a CI run failed so once): the fake's own ports are picked again, a given one is not."""
    import socket

    f = FakeWeChat("tok", "wxport0000000001", "secret")
    taken = [socket.socket(), socket.socket()]
    try:
        for s, port in zip(taken, (f.port, f.proxy_port)):
            s.bind(("127.0.0.1", port))
            s.listen()
        before = (f.port, f.proxy_port)
        f.start()
        try:
            assert f.port != before[0] and f.proxy_port != before[1]
            with socket.create_connection(("127.0.0.1", f.port), timeout=5):
                pass
        finally:
            f.stop()
        given = FakeWeChat("tok", "wxport0000000001", "secret", port=before[0])
        with pytest.raises(OSError):
            given.start()
    finally:
        for s in taken:
            s.close()
