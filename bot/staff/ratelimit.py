"""Login rate limit: at most N failed logins per account and per IP address in a sliding window.

Kept in memory (one staff process; a restart forgets, which only ever helps the legitimate user
after an outage). Successful logins do not count; a success clears the account's failures.
"""
from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Callable, Deque, Dict


class LoginRateLimit:
    def __init__(self, max_failures: int = 5, window_seconds: float = 900.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self.clock = clock
        self._failures: Dict[str, Deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> Deque[float]:
        q = self._failures[key]
        cutoff = self.clock() - self.window
        while q and q[0] <= cutoff:
            q.popleft()
        return q

    def blocked(self, username: str, ip: str) -> bool:
        return any(len(self._recent(k)) >= self.max_failures for k in self._keys(username, ip))

    def failed(self, username: str, ip: str) -> None:
        now = self.clock()
        for k in self._keys(username, ip):
            self._recent(k).append(now)

    def succeeded(self, username: str) -> None:
        self._failures.pop(f"user:{username.lower()}", None)

    @staticmethod
    def _keys(username: str, ip: str):
        return (f"user:{username.lower()}", f"ip:{ip}")
