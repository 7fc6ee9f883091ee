"""The lock store that several Rasa servers share (bot/plugins/lock_store.py), on a real Redis server.

Each "server" here is a thread with its own event loop and its own Redis connection, as two Rasa
processes would have. Rasa's own RedisLockStore fails the first two tests (two holders at once,
duplicate ticket numbers) because it reads, changes and writes a lock in three steps."""

import asyncio
import threading
import time

import pytest
import redis
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from bot.plugins.lock_store import AtomicRedisLockStore
from tests.services import throwaway_redis

SERVERS = 2


@pytest.fixture(scope="module")
def redis_port():
    with throwaway_redis() as port:
        yield port


@pytest.fixture
def stores(redis_port):
    redis.Redis(host="127.0.0.1", port=redis_port, db=1).flushdb()
    return [AtomicRedisLockStore(host="127.0.0.1", port=redis_port, db=1, key_prefix="test") for _ in range(SERVERS)]


def on_every_server(stores, work) -> None:
    """Run ``work(store)`` on every store at once, each in its own thread and event loop."""
    errors = []

    def server(store):
        try:
            work(store)
        except BaseException as e:  # surfaced below, with the thread's own traceback
            errors.append(e)

    threads = [threading.Thread(target=server, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    if errors:
        raise errors[0]


def test_one_conversation_is_handled_by_one_server_at_a_time(stores):
    guard = threading.Lock()
    state = {"inside": 0, "most_inside": 0, "handled": 0}
    messages_per_server, waiting_at_once = 40, 8

    async def handle_one(store):
        async with store.lock("applicant-1"):
            with guard:
                state["inside"] += 1
                state["most_inside"] = max(state["most_inside"], state["inside"])
            await asyncio.sleep(0.002)  # the dialogue's work, during which nobody else may enter
            with guard:
                state["inside"] -= 1
                state["handled"] += 1

    async def server(store):
        for _ in range(messages_per_server // waiting_at_once):
            await asyncio.gather(*(handle_one(store) for _ in range(waiting_at_once)))

    on_every_server(stores, lambda store: asyncio.run(server(store)))
    assert state["handled"] == SERVERS * messages_per_server  # nobody gave up (LockError)
    assert state["most_inside"] == 1
    assert stores[0].get_lock("applicant-1") is None  # nothing left behind


def test_tickets_issued_at_once_by_two_servers_are_all_distinct_and_kept(stores):
    issued = [[] for _ in stores]

    def issue(store):
        mine = issued[stores.index(store)]
        for _ in range(150):
            mine.append(store.issue_ticket("applicant-2"))

    on_every_server(stores, issue)
    numbers = [n for mine in issued for n in mine]
    assert len(set(numbers)) == len(numbers) == SERVERS * 150
    kept = [t.number for t in stores[0].get_lock("applicant-2").tickets]
    assert sorted(kept) == sorted(numbers)


def test_cleanup_keeps_the_ticket_another_server_just_took(stores):
    first = stores[0].issue_ticket("applicant-3")
    second = stores[1].issue_ticket("applicant-3")
    stores[0].cleanup("applicant-3", first)
    lock = stores[1].get_lock("applicant-3")
    assert lock is not None and lock.now_serving == second
    stores[1].cleanup("applicant-3", second)
    assert stores[0].get_lock("applicant-3") is None


def test_the_redis_key_expires_after_its_last_ticket(stores, redis_port):
    stores[0].issue_ticket("applicant-4", lock_lifetime=5)
    ttl = redis.Redis(host="127.0.0.1", port=redis_port, db=1).ttl("test:lock:applicant-4")
    assert 5 < ttl <= 5 + 60 + 1  # a crashed server's lock does not stay in Redis for ever


def test_expired_tickets_are_skipped(stores):
    # 0.5 s: long enough that the second ticket is issued before the first expires on a loaded CI
    # machine (with 0.01 s the whole lock had once expired in between: a fresh lock, ticket 0)
    stale = stores[0].issue_ticket("applicant-5", lock_lifetime=0.5)
    fresh = stores[1].issue_ticket("applicant-5")
    assert fresh == stale + 1
    asyncio.run(asyncio.sleep(0.7))
    stores[1].update_lock("applicant-5")
    assert stores[1].get_lock("applicant-5").now_serving == fresh


def test_endpoints_scaled_yml_builds_it(redis_port, monkeypatch):
    for name, value in {
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(redis_port),
        "REDIS_DB": "2",
        "REDIS_PASSWORD": "",
        "ACTION_ENDPOINT_URL": "http://127.0.0.1:1/webhook",
        "TRACKER_STORE_URL": "sqlite://",
        "ACTION_SERVER_TOKEN": "t0ken",
    }.items():
        monkeypatch.setenv(name, value)
    config = read_endpoint_config("endpoints.scaled.yml", "lock_store")
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore) and store.key_prefix == "zhicheng:lock:"
    store.issue_ticket("applicant-6")
    assert redis.Redis(host="127.0.0.1", port=redis_port, db=2).exists("zhicheng:lock:applicant-6")


def test_direct_construction_from_an_endpoint_config(redis_port):
    config = EndpointConfig(url="127.0.0.1", type="bot.plugins.lock_store.AtomicRedisLockStore", port=redis_port, db=3)
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.red.connection_pool.connection_kwargs["db"] == 3


def test_a_ticket_gets_its_whole_lifetime_when_its_turn_starts(stores):
    """A message that waited behind another turn still has its full lifetime for its own turn:
    Rasa counts it from the arrival, so a long wait left the turn unlocked half way through and the
    conversation's next message ran alongside it."""
    lifetime = 3.0
    first = stores[0].issue_ticket("applicant-6", lock_lifetime=30)

    async def remaining_when_served(store):
        async with store.lock("applicant-6", lock_lifetime=lifetime) as lock:
            mine = [t for t in store.get_lock("applicant-6").tickets if t.number == lock.now_serving]
            return mine[0].expires - time.time()

    async def second_turn():
        waiting = asyncio.ensure_future(remaining_when_served(stores[1]))
        await asyncio.sleep(2.0)  # the first turn runs for two of the second message's three seconds
        stores[0].cleanup("applicant-6", first)
        return await waiting

    assert asyncio.run(second_turn()) > lifetime - 0.5  # not the one second left since its arrival


def test_a_waiting_ticket_outlives_its_lifetime_while_its_server_waits(stores):
    """Behind a ticket that only expires (its server killed mid-turn), a message that waits
    longer than its own lifetime is still served, in order, once that ticket expires — it was
    dropped with it and lost (a fresh clone's CI run, 2026-12-06)."""
    lifetime = 1.0
    dead = stores[0].issue_ticket("applicant-7", lock_lifetime=1.6)  # the dead server's turn: never cleaned up
    dead_expires = next(t.expires for t in stores[0].get_lock("applicant-7").tickets if t.number == dead)

    async def served_at(store):
        arrived = time.time()
        async with store.lock("applicant-7", lock_lifetime=lifetime):  # raised LockError before
            return arrived, time.time()

    arrived, served = asyncio.run(served_at(stores[1]))
    # in order: only once the dead ticket expired, which was after this message's own lifetime
    assert dead_expires > arrived + lifetime and served >= dead_expires, (arrived, dead_expires, served)


def test_a_lock_released_after_redis_went_away_is_logged_not_raised(caplog):
    """The turn's answer is stored and on its way when Redis has gone: releasing is only logged."""
    from tests.helpers import free_port

    AtomicRedisLockStore(host="127.0.0.1", port=free_port(), db=1).cleanup("applicant-7", 0)
    assert "Redis unreachable when releasing a lock" in caplog.text
