"""A Redis lock store that stays correct when several Rasa servers share it.

Rasa's ``RedisLockStore`` changes a conversation's ticket lock by reading it, changing it in
Python and writing it back (``issue_ticket``, ``finish_serving``, ``cleanup``). Inside one server
that is safe (one event loop), but two servers behind a load balancer can interleave: both read
the lock, both append ticket 5, both write, and both then handle a message of the same
conversation at once. The tracker store keeps only one of the two results, so a message and its
answer vanish (``tests/k8s/test_scaled.py``, then on two Rasa processes, caught this on a loaded CI machine). ``cleanup`` can
likewise delete a lock that another server has just added a ticket to.

``AtomicRedisLockStore`` makes every change of a lock one Redis transaction (WATCH / MULTI /
EXEC, retried when another server changed the key in between), gives the key a TTL so a crashed
server leaves nothing behind, polls for its turn more often than Rasa's one second, and counts a
ticket's lifetime from the start of its turn rather than from the message's arrival. If Redis
goes away while a turn runs, releasing the lock at its end is logged, not raised: the turn's answer
is already stored and is still sent (docs/deployment.md, "Faults").

Configured in endpoints.scaled.yml as ``type: bot.plugins.lock_store.AtomicRedisLockStore`` with the same
settings as Rasa's ``redis`` lock store.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable, Optional, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
logger = logging.getLogger(__name__)

#: Seconds between two looks at whether a waiting message's turn has come.
POLL_SECONDS = 0.1
#: The Redis key outlives its last ticket by this much (seconds), then Redis drops it.
KEY_GRACE_SECONDS = 60


class AtomicRedisLockStore(RedisLockStore):  # type: ignore[misc]  # rasa is untyped (Any)
    """``RedisLockStore`` whose ticket changes are atomic across servers."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # built by Rasa from endpoints.yml
            kwargs = {**endpoint_config.kwargs, **kwargs}
            kwargs.setdefault("host", endpoint_config.url or "localhost")
        super().__init__(**kwargs)

    # -- one transaction per change ---------------------------------------------------------
    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        """Apply ``change`` to the stored lock (created if missing) in one transaction.

        The lock is deleted when no ticket is left, else saved with a TTL past its last ticket."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else self.create_lock(conversation_id)
                    result = change(lock)
                    lock.remove_expired_tickets()
                    pipe.multi()
                    if lock.tickets:
                        last_expiry = max(t.expires for t in lock.tickets)
                        ttl = max(1, math.ceil(last_expiry - time.time() + KEY_GRACE_SECONDS))
                        pipe.set(key, lock.dumps(), ex=ttl)
                    else:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed this lock meanwhile: read it again

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            ticket: int = self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
            return ticket
        except Exception as e:  # same contract as Rasa's: the caller sees a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: str) -> None:
        # Called on every poll of every waiting message: write only when a ticket has expired
        # (_change drops it), so waiting costs one read and never disturbs other servers' WATCH.
        lock = self.get_lock(conversation_id)
        if lock and any(ticket.has_expired() for ticket in lock.tickets):
            self._change(conversation_id, lambda lock: None)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # Removing the ticket and deleting the then-empty lock happen in one transaction, so a
        # ticket another server issues meanwhile is never deleted with it.
        try:
            self.finish_serving(conversation_id, ticket_number)
        except redis.exceptions.ConnectionError as e:
            # Redis went away during the turn, whose answer is already stored and on its way: it is
            # not turned into an error. The ticket goes with that Redis (no persistence) or expires.
            logger.warning("lock store: Redis unreachable when releasing a lock (%s); the ticket expires", e)

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_SECONDS
    ) -> AsyncIterator[TicketLock]:
        """Rasa's ``LockStore.lock`` (issue a ticket, wait for its turn, remove it at the end),
        polling every POLL_SECONDS instead of every second, and with the ticket's lifetime
        counted again from the moment its turn starts (:meth:`_renew`)."""
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            lock = await self._wait_for_turn(conversation_id, ticket, wait_time_in_seconds, lock_lifetime)
            self._renew(conversation_id, ticket, lock_lifetime)
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)

    async def _wait_for_turn(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float, lock_lifetime: float
    ) -> TicketLock:
        """Rasa's ``_acquire_lock``, keeping the waiting ticket alive while its server waits.

        Rasa lets a waiting ticket expire a lifetime after its message arrived. Behind the ticket of
        a server killed mid-turn (which only expires) the next message waits almost as long as
        that: when the dead ticket expired just before its own, one poll late, the waiting ticket
        was dropped too, its turn could never come, and the message was lost although the
        applicant had been told it was being handled (tests/k8s/test_faults.py, a Rasa server
        killed under load). A live waiter now renews its ticket when half its lifetime is left: a
        dead server's tickets still expire, a waiting message's never while its server polls."""
        while True:
            lock = self.get_lock(conversation_id)
            if not lock:
                break
            if not lock.is_locked(ticket):
                return lock
            mine = next((t for t in lock.tickets if t.number == ticket), None)
            if mine is None:
                break  # dropped by another server (expired): its turn can never come
            if mine.expires - time.time() < lock_lifetime / 2:
                self._renew(conversation_id, ticket, lock_lifetime)
            await asyncio.sleep(wait_time_in_seconds)
            self.update_lock(conversation_id)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")

    def _renew(self, conversation_id: str, ticket_number: int, lock_lifetime: float) -> None:
        """Give the ticket whose turn starts now its whole lifetime for the turn.

        Rasa counts a ticket's lifetime from the message's arrival. A message that waited most of
        it behind another (e.g. behind the ticket of a server killed mid-turn, which only expires)
        then lost its ticket in the middle of its own turn, and the next message of the same
        conversation ran alongside it: both saved the conversation and one turn's events were lost
        (tests/k8s/test_faults.py, a Rasa server killed under load)."""

        def renew(lock: TicketLock) -> None:
            for ticket in lock.tickets:
                if ticket.number == ticket_number:
                    ticket.expires = max(ticket.expires, time.time() + lock_lifetime)

        self._change(conversation_id, renew)
