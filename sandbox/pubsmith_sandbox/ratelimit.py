"""The request budget: a fixed window of ``rate_limit`` requests per ``rate_interval`` seconds."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["UNLIMITED", "RateLimiter", "RateStatus"]

UNLIMITED = 1_000_000
"""The budget reported when none is set: large enough never to make a client wait."""


@dataclass(frozen=True)
class RateStatus:
    allowed: bool
    limit: int
    remaining: int
    reset: float
    """Epoch seconds at which the window restarts."""
    interval: float
    """Seconds a client is advised to wait before its next request."""
    throttled: bool
    retry_after: int
    """Whole seconds until the window restarts (at least one): a refused client's wait."""

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset)),
            "X-RateLimit-Interval": f"{self.interval:.3f}",
        }


class RateLimiter:
    def __init__(
        self, limit: int | None, window: float, clock: Callable[[], float] = time.time
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._limit = limit
        self._window = window
        self._start = clock()
        self._used = 0

    def configure(self, limit: int | None, window: float) -> None:
        """Change the budget; a change starts a fresh window."""
        with self._lock:
            if (limit, window) != (self._limit, self._window):
                self._limit, self._window = limit, window
                self._start, self._used = self._clock(), 0

    def take(self) -> RateStatus:
        """Spend one request if the budget allows it."""
        with self._lock:
            self._roll()
            allowed = self._limit is None or self._used < self._limit
            if allowed:
                self._used += 1
            return self._status(allowed)

    def peek(self) -> RateStatus:
        with self._lock:
            self._roll()
            return self._status(True)

    def _roll(self) -> None:
        now = self._clock()
        if now >= self._start + self._window:
            elapsed_windows = (now - self._start) // self._window
            self._start += elapsed_windows * self._window
            self._used = 0

    def _status(self, allowed: bool) -> RateStatus:
        limit = self._limit or UNLIMITED
        # Without a budget nothing is ever refused, so never advise a client to wait long.
        remaining = max(0 if self._limit else 1, limit - self._used)
        reset = self._start + self._window
        left = max(0.0, reset - self._clock())
        interval = left if not remaining else left / remaining
        return RateStatus(
            allowed=allowed,
            limit=limit,
            remaining=remaining,
            reset=reset,
            interval=interval,
            throttled=not allowed or (self._limit is not None and not remaining),
            retry_after=max(1, math.ceil(left)),
        )
