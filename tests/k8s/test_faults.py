"""What an applicant sees when a part of the production profile crashes (make run-prod: the manifests
under podman, docs/deployment.md "Faults"), and that nobody has to act: each part's process is
SIGKILLed from the host, podman restarts its container (the pods' ``restartPolicy: Always``), and
the service goes on with nothing lost. Through the published front door only, except where a test
looks into PostgreSQL or the logs. Measured times are printed at the end of the module."""

from __future__ import annotations

import functools
import json
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import sqlalchemy as sa

from bot.deploy import kube
from bot.plugins.channels.limits import STILL_WORKING
from bot.plugins.rasa_main import ACTION_SERVER_DOWN_TEXT
from bot.settings import get_security_settings
from bot.storage.assessments import Storage
from tests.e2e.applicant import CASE_CODE, CZ_ENGINEER, Dialogue, reply_for
from tests.k8s.conftest import PURGE_EVERY
from tests.k8s.test_scaled import database_url

pytestmark = [pytest.mark.k8s]

QUESTION = "长治中级评审费多少"
FOLLOW_UP = "那助理工程师呢"
MEASURED: Dict[str, Any] = {}
LOCK_LIFETIME = 60  # Rasa's ticket lock lifetime (TICKET_LOCK_LIFETIME unset in the manifests)


@pytest.fixture(scope="module")
def door(cluster: kube.Cluster) -> Iterator[str]:
    yield cluster.frontdoor
    print(
        "\nmeasured: "
        + ", ".join(f"{k} {v:.1f} s" if isinstance(v, float) else f"{k}: {v}" for k, v in MEASURED.items())
    )


@pytest.fixture(scope="module")
def engine(cluster: kube.Cluster) -> Iterator[sa.engine.Engine]:
    e = sa.create_engine(database_url(), pool_pre_ping=True)  # PostgreSQL gets restarted
    yield e
    e.dispose()


def post(url: str, body: bytes, timeout: float = 90) -> Tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return int(r.status), r.read()
    except urllib.error.HTTPError as e:
        return int(e.code), e.read()


def ask(door: str, sender: str, text: str) -> str:
    status, body = post(f"{door}/webhooks/rest/webhook", json.dumps({"sender": sender, "message": text}).encode())
    assert status == 200, body
    return "\n".join(m.get("text", "") for m in json.loads(body))


def state(container: str) -> Tuple[str, int, int]:
    """(status, host PID of its process, restarts) of one container."""
    out = kube.podman("inspect", container, "--format", "{{.State.Status}} {{.State.Pid}} {{.RestartCount}}")
    status, pid, count = out.split()
    return status, int(pid), int(count)


def crash(*containers: str) -> List[int]:
    """SIGKILL each container's process from the host, as a crash would end it; its restart counts."""
    before = []
    for name in containers:
        status, pid, count = state(name)
        assert status == "running" and pid > 0, (name, status)
        os.kill(pid, signal.SIGKILL)
        before.append(count)
    return before


def wait_restarted(containers: Tuple[str, ...], before: List[int], timeout: float = 120) -> float:
    """Wait until podman has started each container again by itself; seconds waited."""
    started = time.monotonic()
    while True:
        states = [state(c) for c in containers]
        if all(s == "running" and n > b for (s, _, n), b in zip(states, before)):
            return time.monotonic() - started
        assert time.monotonic() - started < timeout, list(zip(containers, states))
        time.sleep(0.2)


def eventually(check: Any, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, f"not within {timeout:.0f} s: {what}"
        time.sleep(0.5)
    return time.monotonic() - started


def stored_turns(engine: sa.engine.Engine, sender: str) -> List[Tuple[str, str]]:
    """(event, text) of the user and bot events of one conversation in PostgreSQL, in order."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select data from events where sender_id = :s order by id"), {"s": sender})
        events = [json.loads(r[0]) for r in rows]
    return [(e["event"], e.get("text")) for e in events if e["event"] in ("user", "bot")]


def stored_user_turns(engine: sa.engine.Engine, sender: str) -> List[str]:
    return [text for event, text in stored_turns(engine, sender) if event == "user"]


@functools.lru_cache(maxsize=1)
def plans() -> Tuple[kube.PodPlan, ...]:
    """The pods as ``kube.up`` played them (rendered once for the module)."""
    return tuple(kube.plan(kube.render("local"), {}, {kube.SECRET_NAME: kube.ensure_secrets()}))


def wait_ready(owner: str, timeout: float = 120) -> None:
    """Wait until every pod of ``owner`` passes its readiness probe again (kube.up's own wait)."""
    kube.wait_ready([p for p in plans() if p.owner == owner], timeout)


def access_log() -> str:
    return kube.podman("logs", "frontdoor-0-nginx", check=False)


def purge_runs() -> int:
    return kube.podman("logs", "purge-purge", check=False).count(" UTC 保留期 ")


def test_bodies_over_the_limit_are_refused_at_the_front_door(door: str) -> None:
    limit = get_security_settings().max_body_bytes
    big = json.dumps({"sender": "k8s-big", "message": "长" * limit}).encode()
    assert post(f"{door}/webhooks/rest/webhook", big)[0] == 413


def test_the_access_log_has_no_message_text_or_query(door: str) -> None:
    sender = f"k8s-log-{time.time_ns()}"
    assert "300" in ask(door, sender, QUESTION)
    post(f"{door}/webhooks/wechat/webhook?signature=s&timestamp=1&nonce=2&openid=o-secret-openid", b"<xml/>")
    log = "\n".join(line for line in access_log().splitlines() if " HTTP/" in line)
    assert "POST /webhooks/rest/webhook" in log and "/webhooks/wechat/webhook" in log
    for secret in (QUESTION, sender, "o-secret-openid", "signature=", "?"):
        assert secret not in log, secret


def test_the_purge_runs_on_its_schedule(door: str) -> None:
    """The CronJob played as a pod: the purge at start, then every PURGE_EVERY seconds, one line each."""
    runs = purge_runs()
    eventually(lambda: purge_runs() >= max(runs + 1, 2), PURGE_EVERY + 60, "two runs of the purge")
    log = kube.podman("logs", "purge-purge", check=False)
    assert "已删除对话" in log and "清理失败" not in log, log


def test_a_crashed_action_server_comes_back_by_itself_mid_assessment(door: str, engine: sa.engine.Engine) -> None:
    """Both action server pods crash between two answers of a pre-assessment. A message meanwhile gets
    the polite message, not silence; podman starts them again; the applicant sends the same answer
    again and the pre-assessment goes on from that question (asked once) to its result, saved."""
    d = Dialogue(door)
    bot = d.say("我能报长治中级吗")
    first = reply_for(bot, CZ_ENGINEER, unknown_ok=False)
    assert first is not None, bot
    bot = d.say(first[1])
    pending = reply_for(bot, CZ_ENGINEER, unknown_ok=False)
    assert pending is not None and pending[0] != first[0], bot

    containers = ("actions-0-actions", "actions-1-actions")
    crashed_at = time.monotonic()
    before = crash(*containers)
    # Restarted at once, an action server still warms up for seconds before it listens: the
    # answer sent meanwhile gets the polite message, nothing else, and nothing of it is kept.
    assert d.say(pending[1]) == ACTION_SERVER_DOWN_TEXT
    MEASURED["action servers restarted by podman after"] = wait_restarted(containers, before)
    wait_ready("actions")
    reply = d.say(pending[1])  # the same answer again: taken now, the next question follows
    MEASURED["action servers crashed to the next real answer"] = time.monotonic() - crashed_at
    assert reply != ACTION_SERVER_DOWN_TEXT
    result = d.finish(reply, CZ_ENGINEER)
    assert "符合申报工程师的条件" in result and CASE_CODE.search(result), result
    assert d.asked_facts().count(pending[0][0]) == 1  # asked once: resumed where it was, not restarted
    saved = Storage(database_url()).find_assessment(d.case_code())
    assert saved is not None and saved.verdict == "eligible"


def test_a_crashed_postgres_comes_back_and_nothing_after_it_is_lost(door: str, engine: sa.engine.Engine) -> None:
    """PostgreSQL's server process is killed: podman restarts it, it recovers its data, and every
    pooled connection of the Rasa pods, the action servers and the purge, now dead, is replaced
    (pool_pre_ping) with no manual step. The next messages, on both Rasa pods, are answered and
    stored; an assessment is saved; the purge runs again."""
    senders = [f"k8s-pg-{time.time_ns()}-{i}" for i in range(4)]
    for sender in senders:  # round robin: both Rasa pods hold a pooled connection
        assert "300" in ask(door, sender, QUESTION)
    runs = purge_runs()
    crashed_at = time.monotonic()
    before = crash("postgres-0-postgres")
    MEASURED["PostgreSQL restarted by podman after"] = wait_restarted(("postgres-0-postgres",), before)
    wait_ready("postgres")
    for sender in senders:  # both pods' first message after the crash
        assert "260" in ask(door, sender, FOLLOW_UP)
    MEASURED["PostgreSQL crashed to answers on both Rasa pods"] = time.monotonic() - crashed_at
    for sender in senders:
        assert stored_user_turns(engine, sender) == [QUESTION, FOLLOW_UP]  # the history was there, and kept
    d = Dialogue(door)
    result = d.run("我能报长治中级吗", {**CZ_ENGINEER, "civil_servant": True})
    saved = Storage(database_url()).find_assessment(d.case_code())
    assert saved is not None and saved.verdict == "not_eligible", result
    eventually(lambda: purge_runs() > runs, PURGE_EVERY + 60, "the purge's next run")
    assert "清理失败" not in kube.podman("logs", "--since", "2m", "purge-purge", check=False)


def test_a_crashed_redis_comes_back_and_every_pod_answers(door: str) -> None:
    """Redis holds only the conversations' locks. Killed while one conversation's lock is held by a
    turn that never finished (as a Rasa server that died mid-turn leaves it), podman restarts it
    empty: both Rasa pods' next messages are answered (their connections to Redis replaced), and
    that conversation's next message at once, not after the dead ticket's lifetime."""
    from bot.plugins.lock_store import AtomicRedisLockStore

    senders = [f"k8s-redis-{time.time_ns()}-{i}" for i in range(4)]
    for sender in senders:
        assert "300" in ask(door, sender, QUESTION)
    store = AtomicRedisLockStore(
        host=kube.pod_ip("redis-0"),
        port=6379,
        db=1,
        password=kube.ensure_secrets()["REDIS_PASSWORD"],
        key_prefix="zhicheng",
    )
    held = senders[0]
    store.issue_ticket(held, LOCK_LIFETIME)  # a server took this conversation's turn and died
    assert store.get_lock(held) is not None and store.get_lock(held).tickets
    crashed_at = time.monotonic()
    before = crash("redis-0-redis")
    MEASURED["Redis restarted by podman after"] = wait_restarted(("redis-0-redis",), before)
    wait_ready("redis")  # listening again (a message before that gets the polite message)
    for sender in senders:
        started = time.monotonic()
        assert "260" in ask(door, sender, FOLLOW_UP)
        assert time.monotonic() - started < 20  # no lock waited for, the held one included
    MEASURED["Redis crashed to answers on both Rasa pods"] = time.monotonic() - crashed_at
    assert store.get_lock(held) is None  # the dead turn's ticket went with the old Redis


LOAD_QUESTIONS = [
    "长治中级评审费多少",
    "那助理工程师呢",
    "简阳高级职称什么时候截止",
    "平凉中级要交哪些材料",
    "重庆副高什么时候缴费",
    "长治中级要几篇论文",
]


def refused(ip: str, port: int) -> bool:
    try:
        with socket.create_connection((ip, port), timeout=0.5):
            return False
    except OSError:
        return True


def in_order(wanted: List[str], found: List[str]) -> bool:
    """Whether ``wanted`` occurs in ``found`` in this order (others may come in between)."""
    rest = iter(found)
    return all(any(w == f for f in rest) for w in wanted)


def test_a_rasa_server_crashed_under_load_loses_no_answered_message_and_comes_back(
    door: str, engine: sa.engine.Engine
) -> None:
    """Six applicants send questions one after another, all at once; one Rasa pod's server is
    killed while they do. The front door routes around it (connection refused → the other pod). A
    request the killed server had already taken may get 502 — a POST is never sent twice — but only
    one sent before its port refused; every message that got 200 is in PostgreSQL with its answer,
    and every applicant's later messages are answered (one whose turn died with the server is told
    to wait, and answered within the lock lifetime, when that turn's ticket expires). Podman starts
    the server again, it loads the model, and the front door sends it messages again. Nobody acted."""
    ip = kube.pod_ip("rasa-1")
    senders = [f"k8s-load-{time.time_ns()}-{i}" for i in range(6)]
    results: Dict[str, List[Tuple[str, int, Any, float]]] = {s: [] for s in senders}
    sent_at: Dict[Tuple[str, int], float] = {}
    answered = threading.Semaphore(0)
    killed = threading.Event()

    def applicant(sender: str) -> None:
        for i, text in enumerate(LOAD_QUESTIONS):
            if i >= 3:
                assert killed.wait(120)  # the second half only after the kill
            started = time.monotonic()
            sent_at[(sender, i)] = started
            body = json.dumps({"sender": sender, "message": text}).encode()
            status, raw = post(f"{door}/webhooks/rest/webhook", body, timeout=LOCK_LIFETIME + 30)
            results[sender].append(
                (text, status, json.loads(raw) if status == 200 else None, time.monotonic() - started)
            )
            answered.release()

    before = state("rasa-1-rasa")[2]
    back: List[float] = []  # when the crashed server answers again (polled from the crash on)

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"http://{ip}:5005/", timeout=3) as r:
                return bool(r.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def watch() -> None:
        while not killed.is_set() or not answers():
            time.sleep(0.5)
        back.append(time.monotonic())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with ThreadPoolExecutor(len(senders)) as pool:
        running = [pool.submit(applicant, s) for s in senders]
        for _ in range(8):  # some turns done on both pods, others in flight: now
            assert answered.acquire(timeout=120)
        crashed_at = time.monotonic()
        crash("rasa-1-rasa")
        while not refused(ip, 5005):  # until the kernel has closed the killed server's socket
            assert time.monotonic() - crashed_at < 10
            time.sleep(0.002)
        dead_at = time.monotonic()
        killed.set()
        for f in running:
            f.result()

    statuses = {s: [(t, st, round(secs, 1)) for t, st, _, secs in results[s]] for s in senders}
    assert all(st in (200, 502) for s in senders for _, st, _, _ in results[s]), statuses
    late = [(s, i) for s in senders for i, (_, st, _, _) in enumerate(results[s]) if st == 502]
    assert all(sent_at[key] < dead_at for key in late), (statuses, dead_at - crashed_at)
    assert sum(st == 200 for s in senders for _, st, _, _ in results[s]) >= len(senders) * 4, statuses
    assert all(reply for s in senders for _, st, reply, _ in results[s] if st == 200), results
    MEASURED["messages failed (502) at the crash, of 36"] = len(late)

    def real(entry: Tuple[str, int, Any, float]) -> bool:
        _, status, reply, _ = entry
        return status == 200 and [m.get("text") for m in reply] != [STILL_WORKING]

    failed = {s for s in senders for _, st, _, _ in results[s] if st != 200}
    waiting = {s for s in senders if not real(results[s][-1])}
    assert waiting <= failed, (waiting, failed)
    for sender in waiting:  # each answered again within the lock lifetime of the crash
        while True:
            text = "长治工程师评审费多少"
            status, raw = post(
                f"{door}/webhooks/rest/webhook", json.dumps({"sender": sender, "message": text}).encode()
            )
            reply = json.loads(raw)
            results[sender].append((text, status, reply, 0.0))
            assert status == 200 and time.monotonic() - crashed_at < LOCK_LIFETIME + 20, results[sender]
            if [m.get("text") for m in reply] != [STILL_WORKING]:
                assert "300" in reply[0]["text"]
                break
        MEASURED["a conversation whose turn died with the server, answered again after"] = time.monotonic() - crashed_at
    # Every answered message is in PostgreSQL with its answer ("still working": with the answer its
    # turn stored when it ran).
    deadline = time.monotonic() + LOCK_LIFETIME
    for sender in senders:
        said = [t for t, st, _, _ in results[sender] if st == 200]
        while not in_order(said, stored_user_turns(engine, sender)):
            assert time.monotonic() < deadline, (said, stored_user_turns(engine, sender))
            time.sleep(0.5)
        stored = stored_turns(engine, sender)
        for text, status, reply, _ in results[sender]:
            if status != 200:
                continue
            at = stored.index(("user", text))
            bots = []
            for event, line in stored[at + 1 :]:
                if event == "user":
                    break
                bots.append(line)
            if [m.get("text") for m in reply] == [STILL_WORKING]:
                assert bots and STILL_WORKING not in bots, (text, bots)
            else:
                assert bots == [m.get("text") for m in reply], (text, bots, reply)
            stored = stored[at + 1 :]

    # Podman started the server again; once the model is loaded the front door uses it again.
    wait_restarted(("rasa-1-rasa",), [before])  # by podman: restarted once, by nobody else
    watcher.join(300)
    assert back, "rasa-1 does not answer 5 minutes after its crash"
    MEASURED["Rasa server crashed to answering again (model loaded)"] = back[0] - crashed_at
    used_before = access_log().count(f"{ip}:5005")
    eventually(
        lambda: (
            "300" in ask(door, f"k8s-rasa-after-{time.time_ns()}", QUESTION)
            and access_log().count(f"{ip}:5005") > used_before
        ),
        60,
        "the front door sends the restarted pod messages again",
    )
