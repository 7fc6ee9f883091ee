"""The web chat channel's HTTP side, on a real Sanic server with the channel registered the way Rasa
registers it: the widget's assets at stable URLs, 503 with a hint when not built, nothing else
served from the folder, and the socket.io endpoint attached."""

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Dict

import aiohttp
import pytest
from rasa.core.channels.channel import register

from bot.plugins.channels.webchat import WebChatInput, asset_response, get_widget_settings
from tests.helpers import ROOT, free_port, in_process_sanic


def fetch(app_name: str, *paths: str) -> Dict[str, SimpleNamespace]:
    """Register the channel on a fresh Sanic app, serve it on a free port, GET each path."""
    app = in_process_sanic(app_name)
    register([WebChatInput.from_credentials({"session_persistence": True})], app, route="/webhooks/")

    async def run() -> Dict[str, SimpleNamespace]:
        port = free_port()
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        await server.startup()
        out = {}
        try:
            async with aiohttp.ClientSession() as http:
                for path in paths:
                    async with http.get(f"http://127.0.0.1:{port}{path}") as resp:
                        out[path] = SimpleNamespace(
                            status=resp.status,
                            text=await resp.text(),
                            headers={k.lower(): v for k, v in resp.headers.items()},
                        )
        finally:
            server.close()
            await server.wait_closed()
        return out

    return asyncio.run(run())


@pytest.fixture
def built(tmp_path, monkeypatch):
    (tmp_path / "widget.js").write_text("/* widget */", encoding="utf-8")
    (tmp_path / "widget.css").write_text(".zc-root{}", encoding="utf-8")
    (tmp_path / "demo.html").write_text("<!doctype html><title>演示</title>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not for the web", encoding="utf-8")
    monkeypatch.setenv("ZHICHENG_WIDGET_DIR", str(tmp_path))
    return tmp_path


def test_assets_are_served_at_stable_urls_and_nothing_else(built):
    r = fetch(
        "webchat_built",
        "/webchat/widget.js",
        "/webchat/widget.css",
        "/webchat/demo.html",
        "/webchat/secret.txt",
        "/webchat/..%2F..%2Fcredentials.yml",
        "/webchat/size.json",
        "/socket.io/?EIO=4&transport=polling",
    )
    js, css, page = r["/webchat/widget.js"], r["/webchat/widget.css"], r["/webchat/demo.html"]
    assert js.status == 200 and js.headers["content-type"].startswith("application/javascript")
    assert js.text == "/* widget */" and js.headers["access-control-allow-origin"] == "*"
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")
    assert page.status == 200 and "演示" in page.text
    for path in ("/webchat/secret.txt", "/webchat/..%2F..%2Fcredentials.yml", "/webchat/size.json"):
        assert r[path].status == 404, path
    handshake = r["/socket.io/?EIO=4&transport=polling"]
    assert handshake.status == 200 and '"sid"' in handshake.text  # an Engine.IO 4 handshake


def test_missing_build_answers_503_and_says_what_to_run(tmp_path, monkeypatch):
    # One Sanic server per process here (Sanic 21.12 cannot serve a second app in the same
    # process), so the route's handler is called directly for the unbuilt case.
    resp = asset_response(str(tmp_path / "nothing-here"), "widget.js")
    assert resp.status == 503 and "make setup" in resp.body.decode()
    assert asset_response(str(tmp_path / "nothing-here"), "evil.sh").status == 404
    assert get_widget_settings({"ZHICHENG_WIDGET_DIR": "/srv/widget"}).dist_dir == "/srv/widget"
    assert get_widget_settings({}).dist_dir == str(ROOT / "widget" / "dist")


def test_real_build_exists_after_setup():
    dist = ROOT / "widget" / "dist"
    assert (dist / "widget.js").is_file() and (dist / "widget.css").is_file() and (dist / "demo.html").is_file(), (
        "run `make widget`"
    )
    assert 'src="/webchat/widget.js"' in Path(dist / "demo.html").read_text(encoding="utf-8")
