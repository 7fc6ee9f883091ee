"""Attacks on the real servers started as ``make run`` starts them (bot.settings.rasa_run_args,
python -m bot.plugins.action_server): unauthenticated API calls, cross-origin requests, crafted action
calls, oversized and malformed bodies on every channel, a flood of long messages, random and
hostile messages (Hypothesis) with zero 500s, and personal numbers checked in the databases and logs.
The servers are the run's shared ones on 2024-10-30 (tests/conftest.py), so every check looks at
its own senders' rows only. How fast the servers answer under attack is measured in benchmarks/."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import time
from pathlib import Path
from typing import Dict, Optional

import aiohttp
import pytest
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.plugins.wechat import xml as wxml
from bot.plugins.wechat.crypto import signature
from bot.storage.privacy import mask_personal
from tests.channels.wechat.accounts import TOKEN as WECHAT_TOKEN

pytestmark = [pytest.mark.model, pytest.mark.e2e]
EXAMPLES = 120  # per property: a bounded run in CI (each example is a real request)


@pytest.fixture(scope="module")
def stack(shared_2024):
    """The shared servers, started as make run starts them (API token, loopback action server);
    WeChat's body limit is 16 KiB there (WECHAT_MAX_BODY_BYTES)."""
    return {**shared_2024.servers, "log_text": shared_2024.log_text}


async def call(method: str, url: str, *, status_only: bool = False, **kwargs) -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as s:
        async with s.request(method, url, allow_redirects=False, **kwargs) as r:
            r.body_text = await r.text()  # type: ignore[attr-defined]
            return r


def rest(stack, message, sender: str = "attacker") -> Dict:
    return {"url": f"{stack['rasa']}/webhooks/rest/webhook", "json": {"sender": sender, "message": message}}


# --- 1. nothing open by default -------------------------------------------------------------------
async def test_rasa_api_needs_the_token(stack):
    base, victim = stack["rasa"], "victim-1"
    await call("POST", **rest(stack, "长治中级评审费多少", victim))
    for method, path, body in [
        ("GET", f"/conversations/{victim}/tracker", None),
        ("POST", f"/conversations/{victim}/tracker/events", {"event": "bot", "text": "评审费已降为0元，请转账"}),
        ("PUT", f"/conversations/{victim}/tracker/events", []),
        ("POST", f"/conversations/{victim}/messages", {"text": "hi", "sender": "user"}),
        ("POST", f"/conversations/{victim}/execute", {"name": "action_scope_help"}),
        ("POST", "/model/parse", {"text": "hi"}),
        ("PUT", "/model", {"model_file": "x"}),
        ("DELETE", "/model", None),
        ("POST", "/model/train", {}),
        ("GET", "/domain", None),
        ("GET", "/status", None),
    ]:
        for query in ("", "?token=wrong"):
            r = await call(method, base + path + query, json=body)
            assert r.status == 401, (method, path, query, r.status)
    r = await call("GET", f"{base}/conversations/{victim}/tracker?token={stack['auth_token']}")
    assert r.status == 200
    events = json.loads(r.body_text)["events"]
    assert not any("转账" in (e.get("text") or "") for e in events)  # the forged line was never written


async def test_no_cross_origin_access(stack):
    base, evil = stack["rasa"], "https://evil.example"
    for method, path in [
        ("GET", "/"),
        ("OPTIONS", "/webhooks/rest/webhook"),
        ("POST", "/webhooks/rest/webhook"),
        ("OPTIONS", "/conversations/x/tracker"),
        ("GET", "/status"),
    ]:
        r = await call(
            method,
            base + path,
            headers={"Origin": evil, "Access-Control-Request-Method": "POST"},
            json={"sender": "o", "message": "你好"} if method == "POST" else None,
        )
        assert "Access-Control-Allow-Origin" not in r.headers, (method, path, r.headers)
        assert r.headers.get("Access-Control-Allow-Credentials") != "true"
    # the widget's socket.io: refused from another site, allowed from a configured one and its own
    poll = f"{base}/socket.io/?EIO=4&transport=polling"
    assert (await call("GET", poll, headers={"Origin": evil})).status == 400
    ok = await call("GET", poll, headers={"Origin": "http://localhost:5005"})
    assert ok.status == 200 and ok.headers.getall("Access-Control-Allow-Origin") == ["http://localhost:5005"]
    assert (await call("GET", poll, headers={"Origin": base})).status == 200


def _listening_address(port: int) -> Optional[str]:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, p = local.split(":")
            if int(p, 16) == port and state == "0A":
                return addr
    return None


async def test_action_server_serves_only_rasa(stack):
    actions = stack["actions"]
    port = int(actions.rsplit(":", 1)[1])
    assert _listening_address(port) == "0100007F"  # 127.0.0.1 only
    crafted = {
        "next_action": "action_assessment_result",
        "sender_id": "victim-1",
        "version": "3.6.21",
        "tracker": {
            "sender_id": "victim-1",
            "slots": {},
            "latest_message": {"text": "x"},
            "events": [],
            "latest_input_channel": "wechat",
        },
        "domain": {},
    }
    before = _rows(stack, "assessments") + _rows(stack, "unanswered")
    for headers, status in [({}, 401), ({"X-Action-Token": "guess"}, 403), ({"X-Action-Token": ""}, 403)]:
        for method, path in [("POST", "/webhook"), ("GET", "/actions")]:
            r = await call(method, actions + path, json=crafted if method == "POST" else None, headers=headers)
            assert r.status == status, (headers, path, r.status)
    r = await call("POST", actions + "/webhook?token=" + stack["action_token"], json=crafted)
    assert r.status == 401  # the secret travels in the header only
    assert _rows(stack, "assessments") + _rows(stack, "unanswered") == before
    # Rasa itself gets through (it sends the header from endpoints.yml)
    r = await call("POST", **rest(stack, "你好", "through-rasa"))
    assert r.status == 200 and json.loads(r.body_text)


def _rows(stack, table: str) -> int:
    path = stack["database"][len("sqlite:///") :]
    try:
        with sqlite3.connect(path) as conn:
            return conn.execute(f"select count(*) from {table}").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


# --- 3. limits on every channel ----------------------------------------------------------------
async def test_rest_limits_and_malformed_bodies(stack):
    url = f"{stack['rasa']}/webhooks/rest/webhook"
    r = await call("POST", **rest(stack, "评" * 10000, "long-1"))
    assert r.status == 200
    reply = json.loads(r.body_text)
    assert len(reply) == 1 and "500个字" in reply[0]["text"] and "您" in reply[0]["text"]
    tracker = await call("GET", f"{stack['rasa']}/conversations/long-1/tracker?token={stack['auth_token']}")
    assert not [e for e in json.loads(tracker.body_text)["events"] if e["event"] == "user"]  # nothing processed
    r = await call("POST", **rest(stack, "评" * 500, "long-2"))  # at the limit: processed as usual
    assert r.status == 200 and not any("500个字" in m.get("text", "") for m in json.loads(r.body_text))
    tracker = await call("GET", f"{stack['rasa']}/conversations/long-2/tracker?token={stack['auth_token']}")
    assert [len(e["text"]) for e in json.loads(tracker.body_text)["events"] if e["event"] == "user"] == [500]
    for body in (
        b"[1, 2]",
        b'"text"',
        b"42",
        b"null",
        b"{",
        b"\xff\xfe",
        b'{"sender": "a", "message": 5}',
        b'{"sender": ["a"], "message": "hi"}',
        b'{"sender": "' + b"a" * 500 + b'", "message": "hi"}',
    ):
        r = await call("POST", url, data=body, headers={"Content-Type": "application/json"})
        assert r.status == 400, (body[:40], r.status)
    r = await call(
        "POST",
        url,
        data=b'{"sender":"big","message":"' + b"a" * 200_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status == 413


async def test_a_flood_of_long_messages_does_not_slow_others(stack):
    """40 over-long messages at once with a normal question among them: each long one gets the
    polite refusal without being processed (so it costs no turn), and the question its real answer.
    (How much the flood delays the question is a speed figure: benchmarks/, not a test.)"""

    async def long(i: int):
        return await call("POST", **rest(stack, "长" * 10000 + str(i), f"long-flood-{i}"))

    results = await asyncio.gather(
        *(long(i) for i in range(40)), call("POST", **rest(stack, "重庆副高评审费多少", "bystander"))
    )
    r = results[-1]
    assert r.status == 200 and "渝经信职改办〔2024〕16号" in "".join(m.get("text", "") for m in json.loads(r.body_text))
    for x in results[:-1]:
        assert x.status == 200 and "500个字" in json.loads(x.body_text)[0]["text"]
    for i in range(0, 40, 13):
        tracker = await call("GET", f"{stack['rasa']}/conversations/long-flood-{i}/tracker?token={stack['auth_token']}")
        assert not [e for e in json.loads(tracker.body_text)["events"] if e["event"] == "user"]  # nothing processed


async def test_socketio_limits_and_malformed_packets(stack):
    client = socketio.AsyncClient()
    replies: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", lambda data: replies.put_nowait(data))
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
    await client.connect(
        stack["rasa"], transports=["polling"]
    )  # this aiohttp lacks the client websocket API python-socketio wants
    try:
        await client.emit("session_request", {"session_id": "sio-attack"})
        session = await asyncio.wait_for(confirmed, 20)
        for bad in (
            "text",
            ["a"],
            5,
            {"message": ["x"], "session_id": session},
            {"message": "hi"},
            {"message": "hi", "session_id": "x" * 1000},
        ):
            await client.emit("user_uttered", bad)
        await client.emit("user_uttered", {"message": "问" * 10000, "session_id": session})
        first = await asyncio.wait_for(replies.get(), 20)
        assert "500个字" in first["text"]
        await client.emit("user_uttered", {"message": "长治中级评审费多少", "session_id": session})
        answer = await asyncio.wait_for(replies.get(), 60)
        assert "300" in answer["text"]  # still answering after the bad packets
    finally:  # abort: a plain disconnect() waits for the long poll in flight (up to the ping interval)
        await client.eio.disconnect(abort=True)


async def test_broken_text_is_cleaned_at_the_door_and_answered(stack):
    """Half an emoji (a lone surrogate), control characters and unassigned code points: over REST
    and socket.io the message is answered like the same message without them."""
    raw = (
        '{"sender": "broken-rest", "message": "\\u957f\\u6cbb\\u4e2d\\u7ea7\\u8bc4\\u5ba1\\u8d39\\u591a\\u5c11\\ud83d"}'
    )
    r = await call(
        "POST", f"{stack['rasa']}/webhooks/rest/webhook", data=raw, headers={"Content-Type": "application/json"}
    )
    assert r.status == 200 and "300" in r.body_text, r.body_text  # 长治中级评审费多少 + half an emoji
    r = await call("POST", **rest(stack, "长治\x00中级\x1b[31m评审费\U000e0080多少\udfff", "broken-rest-2"))
    assert r.status == 200 and "300" in r.body_text, r.body_text
    client = socketio.AsyncClient()
    replies: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", lambda data: replies.put_nowait(data))
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
    await client.connect(stack["rasa"], transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": "broken-sio"})
        session = await asyncio.wait_for(confirmed, 20)
        await client.emit("user_uttered", {"message": "长治中级评审费多少\ud83d", "session_id": session})
        answer = await asyncio.wait_for(replies.get(), 60)
        assert "300" in answer["text"]
    finally:  # abort: a plain disconnect() waits for the long poll in flight (up to the ping interval)
        await client.eio.disconnect(abort=True)


async def test_a_newline_in_a_sender_or_session_id_cannot_forge_a_log_line(stack):
    forged = "FORGED-LINE 2026-01-01 00:00:00 INFO rasa.core  - admin logged in"
    for sender in (f"u1\n{forged}", f"u1\r{forged}", f"u1\u2028{forged}", "\x1b[2J", " "):
        r = await call("POST", **rest(stack, "长治中级评审费多少", sender))
        assert r.status == 400, (sender, r.status)
    client = socketio.AsyncClient()
    replies: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", lambda data: replies.put_nowait(data))
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
    await client.connect(stack["rasa"], transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": f"s1\n{forged}"})
        session = await asyncio.wait_for(confirmed, 20)
        assert "\n" not in session and forged not in session  # a fresh id replaces a forged one
        await client.emit("user_uttered", {"message": "长治中级评审费多少", "session_id": f"s2\n{forged}"})
        # the forged packet was taken before this one: once this is answered, it was dealt with
        await client.emit("user_uttered", {"message": "长治中级评审费多少", "session_id": session})
        answer = await asyncio.wait_for(replies.get(), 60)
        assert "300" in answer["text"]
    finally:  # abort: a plain disconnect() waits for the long poll in flight (up to the ping interval)
        await client.eio.disconnect(abort=True)
    assert not any(line.startswith("FORGED-LINE") for line in stack["log_text"]().splitlines())


def _wechat(stack, body: bytes, ts: Optional[str] = None):
    ts = ts or str(int(time.time()))
    nonce = "n0nce"
    q = f"timestamp={ts}&nonce={nonce}&signature={signature(WECHAT_TOKEN, ts, nonce)}"
    return {"url": f"{stack['rasa']}/webhooks/wechat/webhook?{q}", "data": body}


def _wechat_text(content: str, msg_id: str) -> bytes:
    return (
        f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName><FromUserName><![CDATA[o-attack]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    ).encode()


async def test_wechat_long_message_and_big_body(stack):
    r = await call("POST", **_wechat(stack, _wechat_text("问" * 1000, "9001")))
    assert r.status == 200
    assert "500个字" in wxml.parse(r.body_text.encode())["Content"]
    r = await call("POST", **_wechat(stack, b"<xml>" + b"a" * 100_000 + b"</xml>"))
    assert r.status == 413
    r = await call("POST", **_wechat(stack, b"[1,2]"))
    assert r.status == 400


# --- 7. random and hostile messages: zero 500s ------------------------------------------------------
HOSTILE = st.one_of(
    st.text(max_size=600),
    st.text(
        st.sampled_from(
            list("长治重庆简阳平凉湖州中级高工评审费截止我能报吗？！，。0123456789１２３一二三 \n\t\u200b\ufeff")
        ),
        max_size=80,
    ),
    st.sampled_from(
        [
            "/inform{\"region\":",
            "/inform{\"region\":\"mars\"}",
            "/restart",
            "/session_start",
            "/nlu_fallback",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "${jndi:ldap://x}",
            "\x00\x01\x02",
            "\ud7ff" * 3,
            "{{7*7}}",
            "%s%s%s%n",
            "🙂" * 200,
            "/inform" + "{" * 300,
        ]
    ),
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(message=HOSTILE, channel_sender=st.sampled_from(["fuzz-a", "fuzz-b", "fuzz-c"]))
def test_random_and_hostile_messages_never_fail(stack, message, channel_sender):
    async def run():
        r = await call("POST", **rest(stack, message, channel_sender))
        assert r.status == 200, (message, r.status)
        assert isinstance(json.loads(r.body_text), list)
        p = await call("POST", f"{stack['rasa']}/model/parse?token={stack['auth_token']}", json={"text": message[:500]})
        assert p.status == 200, (message, p.status)

    asyncio.run(run())


# --- 4. personal numbers: never in clear in the databases or the logs -------------------------------
NUMBERS = {  # what is sent → the number in it, which must not survive in clear in any written form
    "我手机+86 139-2468-1357，长治中级评审费多少": "13924681357",
    "电话１３９　２４６８　１３５７能报吗": "13924681357",
    "我的电话是一三九二四六八一三五七，你们几点下班": "13924681357",
    "身份证110101 19900307 1234，我能报长治中级吗": "110101199003071234",
    "身份证号11010119900307123X，帮我查一下": "11010119900307123",
}
_FORMS = {
    d: f"[{d}{chr(0xFF10 + int(d))}{'〇一二三四五六七八九'[int(d)]}{'零' if d == '0' else ''}]" for d in "0123456789"
}
_SEPARATORS = r"[\s\-－+＋　]*"


def _in_clear(number: str, text: str) -> list:
    """Where `number` appears in `text` in any form people write it (ASCII, full-width or Chinese
    digits, grouped by spaces or dashes), with some context. The whole number is sought: digits
    that survive masking (a phone's first three and last four) are not a leak, and a run of digits
    squashed out of a large log matches a short digit sequence by chance (that happened in CI)."""
    pattern = re.compile(_SEPARATORS.join(_FORMS[d] for d in number))
    return [text[max(0, m.start() - 60) : m.end() + 60] for m in pattern.finditer(text)]


def test_in_clear_finds_every_written_form_and_not_a_masked_one():
    for message, number in NUMBERS.items():
        assert _in_clear(number, message), message
        assert not _in_clear(number, mask_personal(message)), message


async def test_personal_numbers_are_masked_in_databases_and_logs(stack):
    for i, message in enumerate(NUMBERS):
        r = await call("POST", **rest(stack, message, f"pii-{i}"))
        assert r.status == 200
    workdir = Path(stack["workdir"])
    stored = []
    for db in (workdir / "tracker.db", workdir / "zhicheng.db"):
        with sqlite3.connect(db) as conn:
            for (table,) in conn.execute("select name from sqlite_master where type='table'"):
                for row in conn.execute(f"select * from {table}"):
                    stored.append(" ".join(str(v) for v in row))
    logs = stack["log_text"]()
    everything = json.dumps(stored, ensure_ascii=False) + logs
    assert all(f"pii-{i}" in everything for i in range(len(NUMBERS)))  # every message was stored
    # a list of short excerpts, so that a failure is reported at once (pytest's diff of a
    # multi-megabyte text outlasts the test's timeout)
    leaks = {message: _in_clear(number, everything) for message, number in NUMBERS.items()}
    assert not any(leaks.values()), {m: found[:3] for m, found in leaks.items() if found}


# 10,000 generated hostile messages through the NLU (the trained model loaded in this process), 1,000
# of them and 500 more through the HTTP API and the REST channel, a few in flight at a time: no
# error, zero 500s, and the server still answers normally afterwards. All 10,000 over HTTP: make soak.
def _hostile_messages(n: int, seed: int) -> list:
    import random

    rng = random.Random(seed)
    domain = (
        "长治重庆简阳平凉湖州中级高工助工评审费截止我能报吗？！，。多少钱几篇论文0123456789１２３一二三\n\t\u200b\ufeff"
    )
    hostile = [
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "${jndi:ldap://x}",
        "{{7*7}}",
        "%s%s%n",
        "\x00\x01",
        "/inform{\"region\":",
        "/restart",
        "/session_start",
        "/inform" + "{" * 50,
        "🙂" * 50,
        "\ud7ff",
        "＋８６１３８ １２３４ ５６７８",
        "110101 19900307 123X",
        "ﾊﾟ" * 20,
        "\u202e反转",
        "null",
        "[]",
        "{}",
    ]
    out = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.3:
            text = "".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(0, 60)))
        elif kind < 0.65:
            text = "".join(rng.choice(domain) for _ in range(rng.randint(1, 40)))
        elif kind < 0.9:
            text = rng.choice(hostile) + "".join(rng.choice(domain) for _ in range(rng.randint(0, 10)))
        else:
            text = "".join(rng.choice(domain) for _ in range(rng.randint(480, 520)))  # around the limit
        out.append(text.replace("\ud7ff", "\u4e00"))
    return out


async def _flood(urls_and_bodies, in_flight: int) -> list:
    statuses = []
    sem = asyncio.Semaphore(in_flight)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:

        async def one(url, body):
            async with sem:
                async with http.post(url, json=body) as r:
                    await r.read()
                    statuses.append(r.status)

        await asyncio.gather(*(one(u, b) for u, b in urls_and_bodies))
    return statuses


async def _through_http(stack, parsed: int) -> None:
    parse = f"{stack['rasa']}/model/parse?token={stack['auth_token']}"
    statuses = await _flood(
        [(parse, {"text": m[:500]}) for m in _hostile_messages(10_000, seed=12)[:parsed]], in_flight=8
    )
    assert len(statuses) == parsed and set(statuses) == {200}
    hook = f"{stack['rasa']}/webhooks/rest/webhook"
    messages = _hostile_messages(500, seed=13)
    statuses = await _flood(
        [(hook, {"sender": f"flood-{i % 50}", "message": m}) for i, m in enumerate(messages)], in_flight=4
    )
    assert len(statuses) == 500 and set(statuses) == {200}
    r = await call("POST", **rest(stack, "长治中级评审费多少", "after-flood"))
    assert r.status == 200 and "300" in r.body_text


async def test_ten_thousand_hostile_messages_through_the_nlu_and_a_thousand_over_http(stack, nlu_flood):
    """All 10,000 through the model's NLU pipeline (the project's own components included), in a
    process of its own that started with the run (tests/security/nlu_flood.py) — each parsed into an
    intent, none raising — and 1,000 of them and 500 more through the server's HTTP API and REST
    channel."""
    await _through_http(stack, 1_000)
    result = await asyncio.to_thread(nlu_flood)
    assert result["messages"] == 10_000
    assert result["parsed"] == 10_000, result["failures"]


@pytest.mark.soak
async def test_ten_thousand_hostile_messages_through_the_http_api_and_the_channel(stack):
    """make soak: all 10,000 through Rasa's HTTP API."""
    await _through_http(stack, 10_000)
