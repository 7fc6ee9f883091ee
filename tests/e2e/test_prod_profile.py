"""The production profile (make run-prod, bot/deploy/prod.py) end to end, through nginx only: PostgreSQL,
Redis, two Rasa servers, the action server, the staff service and nginx in front, in a temporary
state folder on free ports. An FAQ answer over REST and over socket.io (WebSocket through the
proxy), Rasa's HTTP API not reachable, bodies over the limit refused, no message text in the access
log, the scheduled purge running; then the faults (docs/deployment.md, "Faults"): the action server
killed mid-assessment, PostgreSQL restarted, Redis restarted and killed while a lock is held, a Rasa
server killed under load; and after ``down`` no process left. One profile start for all of it and
for tests/e2e/test_scaled.py (``prod_profile``, tests/e2e/conftest.py: the Rasa servers load the
model for a minute or two), so the faults come last and the order matters."""

import asyncio
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Tuple

import aiohttp
import pytest
import sqlalchemy as sa

from bot.deploy import prod
from bot.plugins.channels.limits import STILL_WORKING
from bot.plugins.lock_store import AtomicRedisLockStore
from bot.plugins.rasa_main import ACTION_SERVER_DOWN_TEXT
from bot.settings import get_security_settings
from bot.storage.assessments import Storage
from tests.e2e.applicant import CASE_CODE, CZ_ENGINEER, Dialogue, reply_for
from tests.e2e.conftest import PROFILE_LOCK_LIFETIME

pytestmark = [pytest.mark.model, pytest.mark.e2e]

QUESTION = "长治中级评审费多少"
SOCKET_QUESTION = "长治助理工程师评审费多少"
# Rasa's ticket lock lifetime (rasa.core.lock_store.LOCK_LIFETIME, from TICKET_LOCK_LIFETIME): shorter
# in the test profile than Rasa's 60 s, so a turn that died with its server is waited for less long.
LOCK_LIFETIME = PROFILE_LOCK_LIFETIME
PURGE_EVERY = 15  # seconds (ZHICHENG_PURGE_EVERY_SECONDS of the profile, tests/e2e/conftest.py)
# Measured recovery times, printed at the end of the module (docs/deployment.md, "Faults").
MEASURED = {}


@pytest.fixture(scope="module")
def profile(prod_profile):
    MEASURED["profile up"] = prod_profile["up_seconds"]
    yield prod_profile
    print(
        "\nmeasured: "
        + ", ".join(f"{k} {v:.1f} s" if isinstance(v, float) else f"{k}: {v}" for k, v in MEASURED.items())
    )


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
    # nginx writes the upgrade's line when the WebSocket has closed, a moment after the client left.
    deadline = time.monotonic() + 10
    while not [line for line in access_log(profile).splitlines() if "GET /socket.io/ " in line and '" 101 ' in line]:
        assert time.monotonic() < deadline, access_log(profile)
        time.sleep(0.1)


def test_only_the_channels_are_exposed(profile):
    base, token = profile["url"], (Path(profile["var"]) / "rasa_auth_token").read_text().strip()
    for path in (
        "/",
        "/status",
        "/version",
        f"/status?token={token}",
        "/model/parse",
        f"/conversations/prod-rest-1/tracker?token={token}",
        "/webhooks/rest/",
        "/webchat/",
        "/webchat/../status",
    ):
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


def test_the_purge_runs_on_schedule(profile, capsys):
    """The purge process (python -m bot.storage.purge --every) is started with the rest, listed by status,
    and logs one line per run: the first at start, the next PURGE_EVERY seconds later."""
    pid = profile["pids"]["purge"]
    assert prod._alive(pid) and profile["purge_every"] == PURGE_EVERY
    prod.main(["status", "--var", profile["var"]])
    assert f"purge      {pid:8} running" in capsys.readouterr().out
    log = Path(profile["var"]) / "logs" / "purge.log"
    runs = []
    deadline = time.monotonic() + PURGE_EVERY + 60
    while len(runs) < 2 and time.monotonic() < deadline:
        runs = [line for line in log.read_text(encoding="utf-8").splitlines() if " UTC 保留期 " in line]
        time.sleep(0.5)
    assert len(runs) >= 2, log.read_text(encoding="utf-8")
    assert "已删除对话" in runs[0] and "清理失败" not in log.read_text(encoding="utf-8")


def kill(profile, name: str) -> None:
    """SIGKILL one process of the profile (its process group) and wait until it is gone."""
    pid = profile["pids"][name]
    os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while prod._alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not prod._alive(pid)


def stored_events(profile, sender: str) -> list:
    """One conversation's events in PostgreSQL (Rasa's ``events`` table), in order."""
    with profile["engine"].connect() as conn:
        rows = conn.execute(sa.text("select data from events where sender_id = :s order by id"), {"s": sender})
        return [json.loads(r[0]) for r in rows]


def stored_turns(profile, sender: str) -> list:
    """(event, text) of the user and bot events of one conversation, in order."""
    return [(e["event"], e.get("text")) for e in stored_events(profile, sender) if e["event"] in ("user", "bot")]


def finish_assessment(d: Dialogue, bot: str, facts: dict) -> str:
    for _ in range(40):
        if CASE_CODE.search(bot):
            return bot
        answer = reply_for(bot, facts, unknown_ok=False)
        assert answer is not None, bot
        bot = d.say(answer[1])
    raise AssertionError("no result after 40 turns")


def test_action_server_killed_mid_assessment(profile):
    """SIGKILL the action server between two answers of a pre-assessment: the applicant's answer and
    an FAQ question get the polite message (not silence), both Rasa servers keep running; once the
    action server is restarted the applicant sends the same answer again and the assessment goes on
    from that question to its result, saved as usual."""
    d = Dialogue(profile["url"])
    bot = d.say("我能报长治中级吗")
    first = reply_for(bot, CZ_ENGINEER, unknown_ok=False)
    assert first is not None, bot
    bot = d.say(first[1])
    pending = reply_for(bot, CZ_ENGINEER, unknown_ok=False)
    assert pending is not None and pending[0] != first[0], bot

    kill(profile, "actions")

    assert d.say(pending[1]) == ACTION_SERVER_DOWN_TEXT  # mid-assessment: one polite message, nothing else
    faq = f"prod-actions-down-{os.getpid()}"
    assert ask(profile["url"], faq, QUESTION) == ACTION_SERVER_DOWN_TEXT  # an FAQ question, either server
    assert ask(profile["url"], faq + "-2", QUESTION) == ACTION_SERVER_DOWN_TEXT
    token = (Path(profile["var"]) / "rasa_auth_token").read_text().strip()
    for i, port in enumerate(profile["rasa_ports"]):
        assert prod._alive(profile["pids"][f"rasa-{i}"])
        assert request(f"http://127.0.0.1:{port}/status?token={token}")[0] == 200
    # The failed turn is stored whole and ends as every turn ends, listening.
    events = stored_events(profile, d.sender)
    last_user = max(i for i, e in enumerate(events) if e["event"] == "user")
    after = [
        (e["event"], e.get("name") or e.get("text")) for e in events[last_user + 1 :] if e["event"] in ("action", "bot")
    ]
    assert after[-2:] == [("bot", ACTION_SERVER_DOWN_TEXT), ("action", "action_listen")], after

    started = time.monotonic()
    profile["pids"]["actions"] = prod.restart("actions", profile["var"])
    MEASURED["action server restart"] = time.monotonic() - started
    assert ask(profile["url"], faq, QUESTION) != ACTION_SERVER_DOWN_TEXT  # the FAQ conversation goes on
    answer = ask(profile["url"], faq, QUESTION)
    assert "300" in answer and "长工信〔2022〕139号" in answer
    bot = d.say(pending[1])  # the same answer again: taken now, the next question follows
    following = reply_for(bot, CZ_ENGINEER, unknown_ok=False)
    assert CASE_CODE.search(bot) or (following is not None and following[0] != pending[0]), bot
    result = finish_assessment(d, bot, CZ_ENGINEER)
    assert "符合申报工程师的条件" in result
    assert d.asked_facts().count(pending[0][0]) == 1  # asked once: resumed where it was, not restarted
    saved = Storage(profile["database"]).find_assessment(d.case_code())
    assert saved is not None and saved.verdict == "eligible"


def test_postgres_restarted(profile):
    """pg_ctl stop -m fast / start, as bot.deploy.prod does: every pooled connection of the Rasa servers,
    the action server and the purge is now closed. While it is down a question is still answered
    (without the conversation's history); once it is up, the next messages — on both servers — are
    answered and stored, the action server saves an assessment and the scheduled purge runs again,
    with no manual step."""
    senders = [f"prod-pg-{os.getpid()}-{i}" for i in range(4)]
    for sender in senders:
        assert "300" in ask(profile["url"], sender, QUESTION)  # every server has a pooled connection
    purge_log = Path(profile["var"]) / "logs" / "purge.log"
    purged = purge_log.read_text(encoding="utf-8").count(" UTC 保留期 ")
    old = profile["pids"]["postgres"]
    prod._pg_stop(Path(profile["var"]))
    assert not prod._alive(old)
    # Down: Rasa's fail-safe tracker store answers from an empty conversation and keeps the turn in
    # the server's memory only — an FAQ question naming its region is still answered.
    outage = f"prod-pg-{os.getpid()}-outage"
    assert "300" in ask(profile["url"], outage, "长治工程师评审费多少")
    started = time.monotonic()
    profile["pids"]["postgres"] = prod.restart("postgres", profile["var"])
    assert profile["pids"]["postgres"] != old
    for sender in senders:  # round robin: both servers' first message after the restart
        answer = ask(profile["url"], sender, "那助理工程师呢")
        assert "260" in answer, answer
    MEASURED["PostgreSQL restart to answers on both servers"] = time.monotonic() - started
    for sender in senders:
        assert [t for t in stored_turns(profile, sender) if t[0] == "user"] == [
            ("user", QUESTION),
            ("user", "那助理工程师呢"),
        ]
    d = Dialogue(profile["url"])
    result = d.run("我能报长治中级吗", {**CZ_ENGINEER, "civil_servant": True})
    saved = Storage(profile["database"]).find_assessment(d.case_code())
    assert saved is not None and saved.verdict == "not_eligible", result
    deadline = time.monotonic() + PURGE_EVERY + 60  # and the scheduled purge runs again
    while purge_log.read_text(encoding="utf-8").count(" UTC 保留期 ") == purged:
        assert time.monotonic() < deadline, purge_log.read_text(encoding="utf-8")
        time.sleep(0.5)


def lock_store(profile) -> AtomicRedisLockStore:
    """The lock store as the Rasa servers configure it (endpoints.scaled.yml)."""
    password = (Path(profile["var"]) / "redis_password").read_text().strip()
    return AtomicRedisLockStore(
        host="127.0.0.1", port=profile["redis_port"], db=1, password=password, key_prefix="zhicheng"
    )


def test_redis_restarted(profile):
    """Redis holds only the locks (no persistence). Restarted, every server's next message is answered;
    killed while a conversation's lock is held by a server that died mid-turn (a ticket never
    finished), the conversation's next message is answered once Redis is back, well within the lock
    lifetime, instead of waiting for the ticket to expire. While Redis is down a message fails fast
    with the polite message (no hang, no silence) and the Rasa servers keep running."""
    senders = [f"prod-redis-{os.getpid()}-{i}" for i in range(4)]
    for sender in senders:
        assert "300" in ask(profile["url"], sender, QUESTION)
    started = time.monotonic()
    profile["pids"]["redis"] = prod.restart("redis", profile["var"])
    for sender in senders:
        assert "260" in ask(profile["url"], sender, "那助理工程师呢")
    MEASURED["Redis restart to answers on both servers"] = time.monotonic() - started

    held = senders[0]
    store = lock_store(profile)
    store.issue_ticket(held, LOCK_LIFETIME)  # a server took this conversation's turn and died
    assert store.get_lock(held).tickets  # held: a message of this conversation would wait for it
    kill(profile, "redis")
    down_started = time.monotonic()
    assert ask(profile["url"], held, QUESTION) == ACTION_SERVER_DOWN_TEXT  # told, not left in silence
    MEASURED["a message while Redis is down, to its polite reply"] = time.monotonic() - down_started
    assert all(prod._alive(profile["pids"][f"rasa-{i}"]) for i in range(2))

    started = time.monotonic()
    profile["pids"]["redis"] = prod.restart("redis", profile["var"])
    answer = ask(profile["url"], held, "那助理工程师呢")
    waited = time.monotonic() - started
    MEASURED["Redis killed with a lock held, restarted, to the conversation's answer"] = waited
    assert "260" in answer and waited < LOCK_LIFETIME / 2
    assert store.get_lock(held) is None  # the dead server's ticket went with the old Redis


def in_order(wanted: list, found: list) -> bool:
    """Whether ``wanted`` occurs in ``found`` in this order (others may come in between)."""
    rest = iter(found)
    return all(any(w == f for f in rest) for w in wanted)


def _refused_from(port: int, timeout: float = 10.0) -> float:
    """When a connection to 127.0.0.1:port is first refused (the killed server's socket closed)."""
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                pass
        except OSError:
            return time.monotonic()
        time.sleep(0.002)
    raise AssertionError(f"port {port} still accepts connections {timeout} s after the kill")


def test_a_rasa_server_killed_under_load(profile):
    """Six applicants send questions one after another, all at once; one Rasa server is SIGKILLed
    while they do. nginx routes around it (connection refused → the other server). A request sent
    to the killed server before its socket closed may get 502 (a POST is never sent twice): one in
    flight at the kill, or one whose connection the kernel still accepted while the killed process
    was being torn down (a few milliseconds for a process this size; an applicant can send twice in
    that time). Every request sent once the port refuses is answered; every message that got 200 is
    in PostgreSQL with its answer, and every applicant's later messages are answered (one whose turn
    died with the server is told to wait, and is answered again within the lock lifetime,
    LOCK_LIFETIME, when that turn's ticket expires)."""
    questions = [
        "长治中级评审费多少",
        "那助理工程师呢",
        "简阳高级职称什么时候截止",
        "平凉中级要交哪些材料",
        "重庆副高什么时候缴费",
        "长治中级要几篇论文",
    ]
    senders = [f"prod-load-{os.getpid()}-{i}" for i in range(6)]
    results = {s: [] for s in senders}
    answered = threading.Semaphore(0)
    killed = threading.Event()

    def applicant(sender: str) -> None:
        for i, text in enumerate(questions):
            if i >= 3:
                assert killed.wait(120)  # the second half only after the kill
            body = json.dumps({"sender": sender, "message": text}).encode()
            req = urllib.request.Request(
                f"{profile['url']}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
            )
            started = time.monotonic()
            try:
                with urllib.request.urlopen(req, timeout=LOCK_LIFETIME + 30) as r:
                    status, reply = r.status, json.loads(r.read())
            except urllib.error.HTTPError as e:
                status, reply = e.code, None
            results[sender].append((text, status, reply, time.monotonic() - started))
            sent_at[(sender, i)] = started
            answered.release()

    sent_at: Dict[Tuple[str, int], float] = {}
    pid = profile["pids"]["rasa-1"]
    with ThreadPoolExecutor(len(senders)) as pool:
        running = [pool.submit(applicant, s) for s in senders]
        for _ in range(8):  # some turns done on both servers, others in flight: now
            assert answered.acquire(timeout=120)
        os.killpg(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        dead_at = _refused_from(profile["rasa_ports"][1])  # the kernel has closed its socket
        killed.set()
        for f in running:
            f.result()
    assert not prod._alive(pid) and prod._alive(profile["pids"]["rasa-0"])
    MEASURED["killed server's port refusing, after the kill"] = dead_at - killed_at

    failed = {s for s in senders for _, st, _, _ in results[s] if st != 200}
    assert all(st in (200, 502) for s in senders for _, st, _, _ in results[s]), {
        s: [(t, st, round(secs, 1)) for t, st, _, secs in results[s]] for s in senders
    }
    # 502: only a request that reached the killed server before its socket closed; every request
    # sent after that is answered.
    statuses = {s: [(t, st, round(secs, 1)) for t, st, _, secs in results[s]] for s in senders}
    refused_late = [(s, i) for s in senders for i, (_, st, _, _) in enumerate(results[s]) if st == 502]
    assert all(sent_at[key] < dead_at for key in refused_late), (statuses, dead_at - killed_at)
    assert sum(st == 200 for s in senders for _, st, _, _ in results[s]) >= len(senders) * 4, statuses
    assert all(reply for s in senders for _, st, reply, _ in results[s] if st == 200), results

    # A conversation whose turn died with the server keeps that turn's ticket in Redis until the lock
    # lifetime runs out: its messages meanwhile get the turn budget's "still working" reply and are
    # handled once the ticket expires. Only those conversations wait; every other applicant's last
    # message has its real answer.
    def real(entry) -> bool:
        _, status, reply, _ = entry
        return status == 200 and [m.get("text") for m in reply] != [STILL_WORKING]

    waiting = {s for s in senders if not real(results[s][-1])}
    assert waiting <= failed, (waiting, failed)
    for sender in waiting:  # polled: each is answered again within the lock lifetime of the kill
        while True:
            text = "长治工程师评审费多少"
            status, body = request(
                f"{profile['url']}/webhooks/rest/webhook", json.dumps({"sender": sender, "message": text}).encode()
            )
            reply = json.loads(body)
            results[sender].append((text, status, reply, 0.0))
            assert status == 200 and time.monotonic() - killed_at < LOCK_LIFETIME + 20, results[sender]
            if [m.get("text") for m in reply] != [STILL_WORKING]:
                assert "300" in reply[0]["text"]
                break
        MEASURED["a conversation whose turn died with the server, answered again after"] = time.monotonic() - killed_at
    # Every answered message is in PostgreSQL with its answer (a "still working" one: with the answer
    # its turn stored when it ran).
    deadline = time.monotonic() + LOCK_LIFETIME
    for sender in senders:
        answered_texts = [t for t, st, _, _ in results[sender] if st == 200]
        while not in_order(answered_texts, [t for e, t in stored_turns(profile, sender) if e == "user"]):
            assert time.monotonic() < deadline, (
                f"answered: {answered_texts}; stored: "
                f"{[t for e, t in stored_turns(profile, sender) if e == 'user']}; "
                f"sent: {[(t, st, round(secs, 1)) for t, st, _, secs in results[sender]]}"
            )
            time.sleep(0.5)  # a "still working" turn is stored when it has run
        stored = stored_turns(profile, sender)
        for text, status, reply, _ in results[sender]:
            if status != 200:
                continue
            at = stored.index(("user", text))  # the turn is stored ...
            bots = []
            for event, said in stored[at + 1 :]:
                if event == "user":
                    break
                bots.append(said)
            if [m.get("text") for m in reply] == [STILL_WORKING]:
                assert bots and STILL_WORKING not in bots, (text, bots)
            else:
                assert bots == [m.get("text") for m in reply], (text, bots, reply)  # ... with its answer
            stored = stored[at + 1 :]
    MEASURED["slowest message after the kill"] = max(secs for s in senders for _, _, _, secs in results[s][3:])
    MEASURED["messages failed (502) at the kill"] = sum(st != 200 for s in senders for _, st, _, _ in results[s])
    used = {line.split('"')[3] for line in access_log(profile).splitlines() if "/webhooks/rest/webhook" in line}
    assert f"127.0.0.1:{profile['rasa_ports'][1]}" in used


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
    pids = {**profile["pids"], **prod.pids(profile["var"])}  # restarted processes have new PIDs
    assert set(pids) >= {"postgres", "redis", "actions", "rasa-0", "rasa-1", "staff", "purge", "nginx"}
    prod.down(profile["var"])
    assert not [name for name, pid in pids.items() if prod._alive(pid)]
    assert not list(Path(profile["var"]).glob("*.pid"))
    assert not leftovers(profile["var"])
    with pytest.raises(OSError):
        urllib.request.urlopen(profile["url"] + "/webhooks/rest/webhook", timeout=5)
