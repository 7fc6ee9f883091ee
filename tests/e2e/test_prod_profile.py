"""The production profile (make run-prod, bot/prod.py) end to end, through nginx only: PostgreSQL,
Redis, two Rasa servers, the action server, the staff service and nginx in front, in a temporary
state folder on free ports. An FAQ answer over REST and over socket.io (WebSocket through the
proxy), Rasa's HTTP API not reachable, bodies over the limit refused, no message text in the access
log, a stopped Rasa server routed around, and after ``down`` no process left."""
import asyncio
import json
import os
import shutil
import signal
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from bot import prod
from bot.settings import get_security_settings
from tests.helpers import free_port

pytestmark = [pytest.mark.model, pytest.mark.e2e]

QUESTION = "长治中级评审费多少"
SOCKET_QUESTION = "长治助理工程师评审费多少"


@pytest.fixture(scope="module")
def profile():
    if not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"):
        pytest.fail("nginx not installed: make services")
    root = tempfile.mkdtemp(prefix="zhicheng-prod-")
    os.chmod(root, 0o711)  # as root, PostgreSQL runs as the postgres user and must reach its folder
    var = os.path.join(root, "var")
    state = prod.up(var, servers=2, port=free_port())
    state["pids"] = prod.pids(var)
    try:
        yield state
    finally:
        prod.down(var)
        shutil.rmtree(root, ignore_errors=True)


def request(url: str, data: bytes = None, method: str = None):
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def ask(base: str, sender: str, text: str) -> str:
    status, body = request(f"{base}/webhooks/rest/webhook", json.dumps({"sender": sender, "message": text}).encode())
    assert status == 200, body
    return "\n".join(m.get("text", "") for m in json.loads(body))


def access_log(profile) -> str:
    return (Path(profile["var"]) / "logs" / "nginx-access.log").read_text(encoding="utf-8")


def test_rest_faq_through_nginx_with_round_robin(profile):
    answer = ask(profile["url"], "prod-rest-1", QUESTION)
    assert "300" in answer and "长工信〔2022〕139号" in answer
    for i in range(3):
        assert ask(profile["url"], f"prod-rest-{i + 2}", QUESTION)
    used = {line.split('"')[3] for line in access_log(profile).splitlines() if "/webhooks/rest/webhook" in line}
    assert {f"127.0.0.1:{p}" for p in profile["rasa_ports"]} <= used  # both servers answered


async def socketio_answer(base: str, session_id: str, text: str) -> str:
    """Rasa's socket.io protocol spoken over a raw WebSocket (Engine.IO 4) through nginx."""
    async with aiohttp.ClientSession() as s:
        async with s.ws_connect(base.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket") as ws:
            async def receive() -> str:
                while True:
                    m = await asyncio.wait_for(ws.receive_str(), 60)
                    if m == "2":  # ping
                        await ws.send_str("3")
                        continue
                    return m

            assert (await receive()).startswith("0{")  # Engine.IO open
            await ws.send_str("40")
            assert (await receive()).startswith("40")  # Socket.IO connect
            await ws.send_str("42" + json.dumps(["session_request", {"session_id": session_id}]))
            assert "session_confirm" in await receive()
            await ws.send_str("42" + json.dumps(["user_uttered", {"message": text, "session_id": session_id}]))
            event, data = json.loads((await receive())[2:])
            assert event == "bot_uttered"
            return data["text"]


async def test_socketio_over_websocket_through_nginx(profile):
    answer = await socketio_answer(profile["url"], "prod-socket-1", SOCKET_QUESTION)
    assert "260" in answer and "长工信〔2022〕139号" in answer
    upgrades = [line for line in access_log(profile).splitlines() if "GET /socket.io/ " in line and '" 101 ' in line]
    assert upgrades, access_log(profile)


def test_only_the_channels_are_exposed(profile):
    base, token = profile["url"], (Path(profile["var"]) / "rasa_auth_token").read_text().strip()
    for path in ("/", "/status", "/version", f"/status?token={token}", "/model/parse", f"/conversations/prod-rest-1/tracker?token={token}",
                 "/webhooks/rest/", "/webchat/", "/webchat/../status"):
        assert request(base + path)[0] == 404, path
    assert request(f"{base}/model/parse?token={token}", b'{"text": "hi"}')[0] == 404
    assert request(f"{base}/webchat/widget.js")[0] in (200, 503)  # 503: widget not built
    assert request(f"{base}/webhooks/wechat/webhook?signature=x&timestamp=1&nonce=2&echostr=3")[0] in (403, 503)
    # ... while every Rasa server still answers its API on loopback, with the token
    assert request(f"http://127.0.0.1:{profile['rasa_ports'][0]}/status?token={token}")[0] == 200


def test_bodies_over_the_limit_are_refused(profile):
    limit = get_security_settings().max_body_bytes
    big = json.dumps({"sender": "prod-big", "message": "长" * limit}).encode()
    assert request(f"{profile['url']}/webhooks/rest/webhook", big)[0] == 413


def test_access_log_has_no_message_text_or_query(profile):
    request(f"{profile['url']}/webhooks/wechat/webhook?signature=s&timestamp=1&nonce=2&openid=o-secret-openid")
    log = access_log(profile)
    assert "/webhooks/rest/webhook" in log and "/webhooks/wechat/webhook" in log
    for secret in (QUESTION, SOCKET_QUESTION, "长治", "o-secret-openid", "token=", "?"):
        assert secret not in log, secret


def test_a_rasa_server_down_is_routed_around(profile):
    """One Rasa server stops: nginx skips it (connection refused → the next server), nothing is lost."""
    pid = profile["pids"]["rasa-1"]
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while prod._alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not prod._alive(pid)
    for i in range(4):
        answer = ask(profile["url"], f"prod-failover-{i}", QUESTION)
        assert "300" in answer and "长工信〔2022〕139号" in answer


def leftovers(var: str) -> list:
    """Live processes whose command line names the state folder (nginx, PostgreSQL, Redis, …)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if var in cmd and prod._alive(int(entry.name)):
                found.append(cmd)
    return found


def test_down_leaves_no_process(profile):
    pids = profile["pids"]
    assert set(pids) >= {"postgres", "redis", "actions", "rasa-0", "rasa-1", "staff", "nginx"}
    prod.down(profile["var"])
    assert not [name for name, pid in pids.items() if prod._alive(pid)]
    assert not list(Path(profile["var"]).glob("*.pid"))
    assert not leftovers(profile["var"])
    with pytest.raises(OSError):
        urllib.request.urlopen(profile["url"] + "/webhooks/rest/webhook", timeout=5)
