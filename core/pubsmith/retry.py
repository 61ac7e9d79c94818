"""When to try a request again, how long to wait, and how to pace calls and polls.

Every timing decision pubsmith makes lives here, each with an injectable clock and sleep
so tests run without waiting. Retries are loops driven by :class:`Attempts`, never
recursion.
"""

from __future__ import annotations

import email.utils
import random as _random
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass

import httpx

__all__ = [
    "DEFAULT_REQUEST_TIMEOUT",
    "MIN_SEND_RATE",
    "Attempts",
    "PollBackoff",
    "RateLimiter",
    "RetryPolicy",
    "never_reached_server",
    "parse_retry_after",
]

Clock = Callable[[], float]
Sleep = Callable[[float], None]

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

DEFAULT_REQUEST_TIMEOUT = 120.0
"""Seconds one attempt of a request may take, from connecting to the end of its answer."""

MIN_SEND_RATE = 16 * 1024.0
"""Bytes a second an upload is allowed at least, on top of the request timeout: a 100 MiB
part may take 120 s plus 6,400 s (a link of 128 kbit/s), a stalled one not forever."""

# A request that failed with one of these was never seen by the server: even a create
# may be sent again.
# A ProxyError is a CONNECT tunnel the proxy refused: the request never went through it.
_UNSENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)


def never_reached_server(error: BaseException) -> bool:
    """True when ``error`` proves the request never reached the server."""
    return isinstance(error, _UNSENT_ERRORS)


def _proxy_refused_credentials(error: BaseException) -> bool:
    # 407 Proxy Authentication Required: the same credentials fail the same way again.
    return isinstance(error, httpx.ProxyError) and str(error).startswith("407")


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP-date).

    ``now`` is the wall-clock time (``time.time()``) an HTTP-date is measured against.
    """
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class RetryPolicy:
    """Bounded retries with capped exponential backoff and full jitter.

    A request is tried at most ``max_attempts`` times, and no wait is started that would
    end after ``deadline`` seconds from the first try. Eight tries ride out a service
    failing one request in five (a request then fails about once in 400,000) while a
    service that is down is given up on within about a minute of backoff.
    ``Retry-After`` replaces the computed backoff, capped at ``max_delay``.

    Each attempt must be over, connected, sent and answered in full, within
    ``request_timeout`` seconds (:class:`~pubsmith._deadline.Deadline`), plus, for a
    body, its size at ``min_send_rate`` bytes a second; the answer then has
    ``request_timeout`` seconds from the end of the body. An attempt that runs out is a
    timeout like any other: retried if the request may be repeated, within the same budget.
    So one request takes at most ``deadline`` seconds plus one attempt.
    """

    def __init__(
        self,
        *,
        max_attempts: int = 8,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        deadline: float = 300.0,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        min_send_rate: float = MIN_SEND_RATE,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        sleep: Sleep = time.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if request_timeout <= 0 or min_send_rate <= 0:
            raise ValueError("request_timeout and min_send_rate must be positive")
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.deadline = deadline
        self.request_timeout = request_timeout
        self.min_send_rate = min_send_rate
        self.clock = clock
        self.wall_clock = wall_clock
        self.sleep = sleep
        self.random = random

    def backoff(self, retry_number: int) -> float:
        """Full-jitter delay before retry ``retry_number`` (1 for the first retry)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry_number - 1))
        return float(self.random() * ceiling)

    def retry_after(self, headers: Mapping[str, str]) -> float | None:
        """The server's ``Retry-After`` in seconds, capped at ``max_delay``."""
        delay = parse_retry_after(headers.get("retry-after"), now=self.wall_clock())
        return None if delay is None else min(delay, self.max_delay)

    def should_retry_status(
        self, status: int, headers: Mapping[str, str], *, idempotent: bool
    ) -> bool:
        """Whether an answer with ``status`` is worth another try.

        A non-idempotent request is repeated only when the answer says it was not
        processed: 429, or 503 with ``Retry-After``.
        """
        if idempotent:
            return status in RETRYABLE_STATUSES
        return status == 429 or (status == 503 and "retry-after" in headers)

    def should_retry_error(self, error: BaseException, *, idempotent: bool) -> bool:
        """Whether a connection error or timeout is worth another try."""
        if not isinstance(error, httpx.TransportError) or _proxy_refused_credentials(error):
            return False
        return idempotent or never_reached_server(error)

    def attempts(self) -> Attempts:
        """A fresh attempt counter for one request."""
        return Attempts(self)


class Attempts:
    """The attempts of one request under a :class:`RetryPolicy`."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.number = 1
        self._deadline = policy.clock() + policy.deadline

    def wait(
        self,
        retry_after: float | None = None,
        *,
        before: Callable[[float], object] | None = None,
    ) -> float | None:
        """Sleep before the next attempt and return the delay slept.

        Returns None, without sleeping, when the attempts or the deadline are spent.
        ``before`` is told the delay before the sleep starts (to say why nothing happens).
        """
        policy = self.policy
        if self.number >= policy.max_attempts:
            return None
        delay = policy.backoff(self.number) if retry_after is None else retry_after
        if policy.clock() + delay > self._deadline:
            return None
        if before is not None:
            before(delay)
        policy.sleep(delay)
        self.number += 1
        return delay


@dataclass
class _Budget:
    limit: int
    remaining: int
    reset: float


class RateLimiter:
    """Paces calls from the ``X-RateLimit-*`` headers, shared by every thread of a client.

    While more than ``low_fraction`` of the limit remains nothing waits. Below it, the
    remaining calls are spread evenly until the reset time; with none left, callers wait
    for the reset. ``X-RateLimit-Reset`` is a Unix time (small values are taken as
    seconds from now); without it, ``X-RateLimit-Interval`` is the spacing.
    """

    def __init__(
        self,
        *,
        low_fraction: float = 0.1,
        max_wait: float = 60.0,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.low_fraction = low_fraction
        self.max_wait = max_wait
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._budget: _Budget | None = None
        self._next_slot = 0.0

    def observe(self, headers: Mapping[str, str]) -> None:
        """Record the budget an answer reports; answers without the headers are ignored."""
        try:
            limit = int(headers["x-ratelimit-limit"])
            remaining = int(headers["x-ratelimit-remaining"])
        except (KeyError, ValueError):
            return
        now = self.clock()
        reset = _reset_time(headers, now)
        with self._lock:
            budget = self._budget
            if budget is not None and budget.reset >= reset > now:
                # Answers arrive out of order across threads: keep the lowest count seen
                # for the current window.
                budget.remaining = min(budget.remaining, remaining)
                budget.limit = limit
            elif reset > now:
                self._budget = _Budget(limit, remaining, reset)

    def reserve(self) -> float:
        """Take a slot for one call and return how long to wait before making it."""
        with self._lock:
            budget = self._budget
            now = self.clock()
            if budget is None or now >= budget.reset:
                self._budget = None
                return 0.0
            if budget.remaining > budget.limit * self.low_fraction:
                budget.remaining -= 1
                return 0.0
            if budget.remaining <= 0:
                return min(budget.reset - now, self.max_wait)
            slot = min(max(now, self._next_slot), budget.reset)
            self._next_slot = slot + (budget.reset - slot) / budget.remaining
            budget.remaining -= 1
            return min(slot - now, self.max_wait)

    def acquire(self, *, before: Callable[[float], object] | None = None) -> float:
        """Wait, if the budget is low, before one call; returns the time slept.

        ``before`` is told the delay before a sleep starts.
        """
        delay = self.reserve()
        if delay > 0:
            if before is not None:
                before(delay)
            self.sleep(delay)
        return delay


def _reset_time(headers: Mapping[str, str], now: float) -> float:
    try:
        reset = float(headers["x-ratelimit-reset"])
    except (KeyError, ValueError):
        try:
            return now + float(headers["x-ratelimit-interval"])
        except (KeyError, ValueError):
            return now
    # Some servers send seconds until the reset rather than a Unix time.
    return reset if reset > 1_000_000_000 else now + reset


class PollBackoff:
    """Intervals for status polling: short at first, growing by ``factor`` to ``cap``."""

    def __init__(
        self,
        *,
        first: float = 0.5,
        factor: float = 1.5,
        cap: float = 5.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.first = first
        self.factor = factor
        self.cap = cap
        self.clock = clock
        self.sleep = sleep

    def polls(self, timeout: float) -> Generator[int, float | None, None]:
        """Yield poll numbers from 0, sleeping between them, until ``timeout`` passes.

        The first poll is immediate and the last is made at the deadline; when the
        iterator ends, time is up. A caller that knows better (say, from the progress the
        server reports) may ``send`` the seconds to wait before the next poll instead.
        """
        deadline = self.clock() + timeout
        interval = self.first
        number = 0
        while True:
            wanted = yield number
            number += 1
            left = deadline - self.clock()
            if left <= 0:
                return
            self.sleep(min(interval if wanted is None else wanted, left))
            interval = min(interval * self.factor, self.cap)
