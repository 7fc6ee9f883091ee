"""Admission control for the WeChat channel: how many conversation turns run at once, in what
order, and how long a new message would wait for its answer.

Rasa runs NLU and the dialogue policies synchronously on the server's one event loop. When every
message of a burst starts its turn at once, the loop takes turns round-robin through all of them,
each step costing tens of milliseconds, so one pass over the ready callbacks takes seconds: the
timers that should answer WeChat within its 5 s deadline fire late, and even new requests are read
late. Here at most ``width`` turns run at once (the rest wait in arrival order, which costs no CPU),
so the loop stays responsive (its lag is about ``width`` turn steps) and the throughput is the same —
the work is CPU-bound either way.

Order: tickets are issued synchronously when a request arrives, so a user's messages start in the
order they came, and one user's turns never run side by side (the next waits for the previous).

Estimate: a new message whose turn would start after ``ahead`` others (waiting and running) is
ready after about ``(ahead // width + 1)`` turn times; the turn time is the median of the last
few turns' wall times (so one slow turn, such as the model's first, does not skew it). The channel compares that with its reply budget and,
when it cannot make it, answers ``success`` at once and sends the answer as a customer-service
message. A message with nothing ahead of it is always waited for (the reply-budget timer still
answers ``success`` in time if its turn is slow), so one slow turn cannot make the next message,
on an idle worker, skip its passive reply.
"""

from __future__ import annotations

import asyncio
import statistics
from collections import deque
from typing import Deque, Dict, Optional

INITIAL_TURN_SECONDS = 0.3  # before any turn was measured (a FAQ turn on 2 cores: 0.1–0.3 s)
SAMPLES = 9  # the turn time is the median of this many latest turns


class Ticket:
    """One message's place in the queue."""

    __slots__ = ("sender", "granted", "started", "done")

    def __init__(self, sender: str) -> None:
        self.sender = sender
        self.granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.started: Optional[float] = None
        self.done = False


class TurnQueue:
    """At most ``width`` turns at once, first come first served, one at a time per user."""

    def __init__(self, width: int, turn_seconds: float = INITIAL_TURN_SECONDS) -> None:
        self.width = max(1, int(width))
        self._samples: Deque[float] = deque([turn_seconds] * SAMPLES, maxlen=SAMPLES)
        self._waiting: Deque[Ticket] = deque()
        self._running: Dict[str, Ticket] = {}  # by sender: one turn per user at a time

    # --- the numbers the channel decides with ------------------------------------------------
    @property
    def turn_seconds(self) -> float:
        """A turn's wall time while the queue is in use: the median of the latest turns."""
        return statistics.median(self._samples)

    @turn_seconds.setter
    def turn_seconds(self, seconds: float) -> None:
        self._samples.extend([seconds] * SAMPLES)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @property
    def running(self) -> int:
        return len(self._running)

    def ahead(self, ticket: Ticket) -> int:
        """Turns that run or wait before this one (0 once it runs)."""
        if ticket.done or ticket.started is not None or self._running.get(ticket.sender) is ticket:
            return 0
        ahead = self.running
        for t in self._waiting:
            if t is ticket:
                break
            ahead += 1
        return ahead

    def expected_wait(self, ticket: Ticket) -> float:
        """Seconds until this ticket's turn is likely finished."""
        if ticket.done:
            return 0.0
        return (self.ahead(ticket) // self.width + 1) * self.turn_seconds

    # --- the queue ---------------------------------------------------------------------------
    def enter(self, sender: str) -> Ticket:
        """A place at the end of the queue (synchronous: arrival order is kept)."""
        ticket = Ticket(sender)
        self._waiting.append(ticket)
        self._dispatch()
        return ticket

    async def start(self, ticket: Ticket) -> None:
        """Wait until this ticket's turn may run."""
        try:
            await asyncio.shield(ticket.granted)
        except asyncio.CancelledError:
            self.leave(ticket)
            raise
        ticket.started = asyncio.get_running_loop().time()

    def leave(self, ticket: Ticket, measure: bool = False) -> None:
        """The turn is over (or will not run): the next one may start. ``measure``: the turn ran
        through Rasa and its time feeds the estimate."""
        if ticket.done:
            return
        ticket.done = True
        if self._running.get(ticket.sender) is ticket:
            del self._running[ticket.sender]
            if measure and ticket.started is not None:
                self._samples.append(asyncio.get_running_loop().time() - ticket.started)
        else:
            try:
                self._waiting.remove(ticket)
            except ValueError:
                pass
        self._dispatch()

    def _dispatch(self) -> None:
        if len(self._running) >= self.width or not self._waiting:
            return
        blocked = set(self._running)
        for ticket in list(self._waiting):
            if len(self._running) >= self.width:
                break
            if ticket.sender in blocked:
                continue
            blocked.add(ticket.sender)  # a user's later messages wait behind the earlier one
            self._waiting.remove(ticket)
            self._running[ticket.sender] = ticket
            if not ticket.granted.done():
                ticket.granted.set_result(None)
