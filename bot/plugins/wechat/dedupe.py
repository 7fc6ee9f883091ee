"""Each WeChat message is answered exactly once.

WeChat resends a message it got no reply to within 5 s, up to three times, and the resends may
arrive while the first is still being processed. Inside one worker the first request creates an
:class:`Exchange` (the conversation runs once, in a background task) and every resend awaits the
same answer within its own reply budget. Across workers a row with a unique key in the database
decides who owns the message; a resend that lands elsewhere, or arrives after the answer went
out, gets ``success``.

Delivery is claimed once: by the first request still waiting when the answer is ready (a passive
reply), or, when nobody is waiting any more, by the customer-service API. WeChat resends only what
it got no reply to within 5 s, so a resend after a passive reply means that reply came too late
(a busy server): it is given again. Answered messages stay in memory for a minute for this.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Dict, List, Optional


@dataclass
class Outcome:
    """The rendered answer to one message: text chunks (empty: reply ``success`` and send nothing)."""

    chunks: List[str] = field(default_factory=list)


class Exchange:
    """One message in flight in this worker."""

    def __init__(self, key: str, openid: str, sender: str) -> None:
        self.key = key
        self.openid = openid  # memory only, for the reply in progress
        self.sender = sender  # pseudonym: what logs and storage see
        self.answer: asyncio.Future[Optional[Outcome]] = asyncio.get_running_loop().create_future()
        self.waiting = 0
        self.delivered_by: Optional[str] = None
        self.passive_text: Optional[str] = None  # kept for a resend whose original reply came too late
        self._resent = False

    def claim(self, how: str) -> bool:
        """True for the one caller that gets to deliver the answer ("passive" or "custom")."""
        if self.delivered_by is not None:
            return False
        self.delivered_by = how
        return True

    def claim_resend(self) -> bool:
        """True once: the passive reply is sent again as a customer-service message."""
        if self._resent:
            return False
        self._resent = True
        return True


class InFlight:
    """The exchanges of this worker, by message key."""

    def __init__(self) -> None:
        self._by_key: Dict[str, Exchange] = {}

    def get(self, key: str) -> Optional[Exchange]:
        return self._by_key.get(key)

    def add(self, exchange: Exchange) -> None:
        self._by_key[exchange.key] = exchange

    def discard(self, exchange: Exchange) -> None:
        if self._by_key.get(exchange.key) is exchange:
            del self._by_key[exchange.key]

    def pending(self) -> int:
        """Messages whose answer is still being worked out."""
        return sum(1 for e in self._by_key.values() if not e.answer.done())

    def __len__(self) -> int:
        return len(self._by_key)
