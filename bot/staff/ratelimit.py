"""Login lockout that cannot be turned against other people.

- Failures count per **account and address** pair. After ``max_failures`` in the window that pair
  is locked with backoff: 1 minute, then twice as long for every further failure, at most the
  window. Someone guessing at an account from their own address does not lock its owner out
  elsewhere, and never locks other accounts.
- Password spraying from one address (many names) is slowed by an address limit of
  ``4 × max_failures`` failures per window, which applies only to names that have not logged in
  from that address before — colleagues behind the same proxy are not locked out.
- ``locked()`` lists the current locks for the admin page, ``unlock()`` lifts them (audited by
  the caller).

Kept in memory (one staff process; a restart forgets, which only ever helps the legitimate user).
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Callable, Deque, Dict, List, Set, Tuple

BASE_LOCK_SECONDS = 60.0
SPRAY_FACTOR = 4


@dataclass(frozen=True)
class Lock:
    username: str
    ip: str
    seconds_left: int


class LoginRateLimit:
    def __init__(
        self, max_failures: int = 5, window_seconds: float = 900.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self.clock = clock
        self._pairs: Dict[Tuple[str, str], Deque[float]] = defaultdict(deque)
        self._addresses: Dict[str, Deque[float]] = defaultdict(deque)
        self._known: Set[Tuple[str, str]] = set()  # (account, address) that logged in successfully

    def _recent(self, q: Deque[float]) -> Deque[float]:
        cutoff = self.clock() - self.window
        while q and q[0] <= cutoff:
            q.popleft()
        return q

    def _pair_lock_left(self, key: Tuple[str, str]) -> float:
        q = self._recent(self._pairs[key])
        extra = len(q) - self.max_failures
        if extra < 0:
            return 0.0
        lock: float = min(self.window, BASE_LOCK_SECONDS * (2 ** min(extra, 20)))
        return max(0.0, q[-1] + lock - self.clock())

    def blocked(self, username: str, ip: str) -> bool:
        key = (username.lower(), ip)
        if self._pair_lock_left(key) > 0:
            return True
        if key in self._known:
            return False
        return len(self._recent(self._addresses[ip])) >= SPRAY_FACTOR * self.max_failures

    def failed(self, username: str, ip: str) -> bool:
        """Count a failure; True when this failure starts a lock of the pair."""
        now = self.clock()
        key = (username.lower(), ip)
        self._recent(self._pairs[key]).append(now)
        self._recent(self._addresses[ip]).append(now)
        return len(self._pairs[key]) == self.max_failures

    def succeeded(self, username: str, ip: str = "") -> None:
        key = (username.lower(), ip)
        self._pairs.pop(key, None)
        self._known.add(key)

    def locked(self) -> List[Lock]:
        out = []
        for user, ip in list(self._pairs):
            left = self._pair_lock_left((user, ip))
            if left > 0:
                out.append(Lock(user, ip, int(left) + 1))
            elif not self._pairs[(user, ip)]:
                del self._pairs[(user, ip)]
        return sorted(out, key=lambda lock: (lock.username, lock.ip))

    def unlock(self, username: str) -> int:
        """Lift every lock of this account (all addresses); the number of locks lifted."""
        name = username.lower()
        keys = [k for k in self._pairs if k[0] == name]
        lifted = sum(1 for k in keys if self._pair_lock_left(k) > 0)
        for k in keys:
            del self._pairs[k]
        return lifted
