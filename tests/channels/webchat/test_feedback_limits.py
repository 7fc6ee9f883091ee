"""Ratings (有帮助 / 没帮助) are limited per widget session and per client address: the real web chat
channel on a real Sanic server, a real socket.io client, Rasa's SQL tracker store on SQLite holding
the rated answers, and the project database receiving the ratings. The second security probe marked
30 answers 没帮助 from one session in 26 s (30 inbox rows); now the ratings over the limit are
acknowledged with ``rate_limited`` and nothing of them is stored. No model is needed: the answers
are written into the tracker store directly."""

from __future__ import annotations

import asyncio
import itertools
from types import SimpleNamespace
from typing import Dict, List

import socketio
import sqlalchemy as sa
from rasa.core.channels.channel import register
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.plugins.channels.limits import RateLimit, client_address, take_all
from bot.plugins.channels.webchat import WebChatInput
from bot.plugins.tracker_store import MaskingSQLTrackerStore
from bot.storage.feedback import ANSWER_KEY, new_answer_id
from tests.helpers import free_port, in_process_sanic, migrated

CZ = "changzhi-2022-engineering-mid-junior"
_apps = itertools.count()


def conversation(answers: List[str]) -> list:
    events = []
    for i, answer_id in enumerate(answers):
        events += [
            ActionExecuted("action_listen"),
            UserUttered(f"长治中级问题{i}，我的电话13812345678"),
            BotUttered(
                f"回答{i}",
                metadata={
                    ANSWER_KEY: {
                        "id": answer_id,
                        "notice": CZ,
                        "topic": "fee",
                        "clauses": [{"notice": CZ, "clause": "五"}],
                    }
                },
            ),
        ]
    return events


def counts(database_url: str) -> Dict[str, int]:
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        out = {
            "feedback": conn.execute(sa.text("select count(*) from answer_feedback")).scalar_one(),
            "inbox": conn.execute(sa.text("select count(*) from unanswered")).scalar_one(),
        }
    engine.dispose()
    return out


async def serve(tmp_path, sessions: Dict[str, List[str]]):
    """The channel registered as Rasa registers it, on a free port; the agent's tracker store is the
    project's real one (SQLite) holding each session's answers."""
    store = MaskingSQLTrackerStore(domain=Domain.empty(), host=f"sqlite:///{tmp_path / 'tracker.db'}")
    for session, answers in sessions.items():
        await store.save(DialogueStateTracker.from_events(session, conversation(answers)))
    app = in_process_sanic(f"webchat_ratings_{next(_apps)}")
    register([WebChatInput.from_credentials({"session_persistence": True})], app, route="/webhooks/")
    app.ctx.agent = SimpleNamespace(tracker_store=store)  # what Rasa's server holds once the model is loaded
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    return server, f"http://127.0.0.1:{port}"


async def joined(url: str, session: str, forwarded: str = "") -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
    client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    await client.connect(url, transports=["polling"], headers=headers)
    await client.emit("session_request", {"session_id": session})
    assert await asyncio.wait_for(confirmed, 20) == session
    return client


async def rate(client: socketio.AsyncClient, session: str, answer_id: str) -> dict:
    return await client.call("feedback", {"session_id": session, "answer_id": answer_id, "helpful": False}, timeout=20)


def test_ratings_are_limited_per_session_and_per_address(tmp_path, monkeypatch):
    database_url = migrated(f"sqlite:///{tmp_path / 'zhicheng.db'}")
    monkeypatch.setenv("ZHICHENG_DATABASE_URL", database_url)
    monkeypatch.setenv("ZHICHENG_FEEDBACK_PER_SESSION", "3")
    monkeypatch.setenv("ZHICHENG_FEEDBACK_PER_ADDRESS", "5")
    monkeypatch.setenv("ZHICHENG_TRUST_PROXY", "1")  # as behind the production profile's nginx
    sessions = {f"{c}" * 32: [new_answer_id() for _ in range(6)] for c in "abc"}
    a, b, c = sessions

    async def run() -> None:
        server, url = await serve(tmp_path, sessions)
        clients = []
        try:
            one = await joined(url, a, forwarded="198.51.100.1, 203.0.113.7")
            two = await joined(url, b, forwarded="203.0.113.7")  # the same address, another session
            three = await joined(url, c, forwarded="203.0.113.8")  # another address
            clients += [one, two, three]
            # one session: three ratings a minute, then refused — the refused one is not stored
            got = [await rate(one, a, answer) for answer in sessions[a][:5]]
            assert got[:3] == [{"ok": True, "first": True}] * 3
            assert got[3:] == [{"ok": False, "error": "rate_limited"}] * 2
            assert counts(database_url) == {"feedback": 3, "inbox": 3}
            # the same address, another session: two more make the address's five, then refused
            got = [await rate(two, b, answer) for answer in sessions[b][:3]]
            assert got == [{"ok": True, "first": True}] * 2 + [{"ok": False, "error": "rate_limited"}]
            assert counts(database_url) == {"feedback": 5, "inbox": 5}
            # another address is not held up by them
            assert await rate(three, c, sessions[c][0]) == {"ok": True, "first": True}
            # a refused rating is refused before anything is looked up: even a forged id
            assert await rate(one, a, new_answer_id()) == {"ok": False, "error": "rate_limited"}
            assert counts(database_url) == {"feedback": 6, "inbox": 6}
        finally:
            for client in clients:
                await client.eio.disconnect(abort=True)
            server.close()
            await server.wait_closed()

    asyncio.run(run())


def test_a_limit_counts_a_sliding_minute_per_key_and_all_or_nothing():
    now = [1000.0]
    session, address = RateLimit(2, clock=lambda: now[0]), RateLimit(3, clock=lambda: now[0])
    assert take_all((session, "s1"), (address, "ip"))
    assert take_all((session, "s1"), (address, "ip"))
    assert not take_all((session, "s1"), (address, "ip"))  # the session's two
    assert take_all((session, "s2"), (address, "ip"))  # the address's third
    assert not take_all((session, "s3"), (address, "ip"))  # the address is full: s3 not counted
    assert session.allows("s3")
    now[0] += 60.0  # a minute later: the window has moved on
    assert take_all((session, "s1"), (address, "ip"))
    small = RateLimit(1, max_keys=2, clock=lambda: now[0])
    for key in ("k1", "k2", "k3"):
        small.take(key)
    assert len(small._events) == 2  # memory stays bounded whatever the keys


def test_the_client_address_is_the_peer_unless_a_proxy_in_front_is_trusted():
    request = SimpleNamespace(ip="192.0.2.10")
    environ = {"sanic.request": request, "HTTP_X_FORWARDED_FOR": "10.0.0.1, 198.51.100.9", "REMOTE_ADDR": "127.0.0.1"}
    assert client_address(environ, trust_proxy=False) == "192.0.2.10"  # a forged header is ignored
    assert client_address(environ, trust_proxy=True) == "198.51.100.9"  # the entry the proxy appended
    assert client_address({"sanic.request": request}, trust_proxy=True) == "192.0.2.10"
    assert client_address(None, trust_proxy=False) == "-"
