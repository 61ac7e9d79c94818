"""Wait for Cloudsmith to finish processing packages, under a deadline.

:func:`wait_for_sync` waits for one package on the caller's thread (the single-package
commands); a :class:`Poller` follows every package of a publish run on one thread of its
own, so that no transfer slot is held while the server works.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pubsmith._answers import one_line
from pubsmith.client import CloudsmithClient
from pubsmith.errors import ProcessingError, TransportError
from pubsmith.retry import PollBackoff

__all__ = ["Poller", "SyncTimeoutError", "Wait", "wait_for_sync"]


class SyncTimeoutError(TransportError):
    """A package was still processing when the wait ran out; it may finish later."""

    def __init__(self, slug: str, timeout: float, status: str) -> None:
        self.slug = slug
        self.timeout = timeout
        state = f" ({status})" if status else ""
        super().__init__(
            f"package {slug} is still processing{state} after {timeout:g} s; "
            "raise --wait-timeout or use --no-wait"
        )


def wait_for_sync(
    client: CloudsmithClient,
    owner: str,
    repo: str,
    slug: str,
    *,
    timeout: float,
    backoff: PollBackoff | None = None,
    on_status: Callable[[dict[str, Any]], None] | None = None,
    initial: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Poll the package's status until it is synchronised, and return that status.

    Polls start at ``backoff``'s first interval and slow down to its cap; once two
    statuses show ``sync_progress`` rising, the next poll is timed for when that rate
    says processing ends (within the same bounds). ``initial`` is a status already in
    hand, such as the answer that created the package: it stands for the first poll,
    which is otherwise immediate. Each status is passed to ``on_status``. Raises
    :class:`ProcessingError` with the server's ``status_reason`` when processing fails,
    and :class:`SyncTimeoutError` when ``timeout`` seconds pass first.
    """
    backoff = backoff or PollBackoff()
    polls = backoff.polls(timeout)
    trend = _Trend(backoff)
    status = initial
    next(polls)  # the first poll is immediate
    while True:
        if status is None:
            status = client.package_status(owner, repo, slug)
        if on_status is not None:
            on_status(status)
        if status.get("is_sync_completed"):
            return status
        if status.get("is_sync_failed"):
            raise _failure(slug, status)
        wait = trend.remaining(status)
        try:
            polls.send(wait)
        except StopIteration:
            raise _timed_out(slug, timeout, status) from None
        status = None


def _failure(slug: str, status: dict[str, Any]) -> ProcessingError:
    """A failed package's error, with the server's reason bounded and on one line."""
    reason = one_line(str(status.get("status_reason") or ""), 1000)
    return ProcessingError(slug, reason or "no reason given by the server")


def _timed_out(slug: str, timeout: float, status: dict[str, Any]) -> SyncTimeoutError:
    """The error of a wait that ran out, naming the stage the server last reported."""
    stage = status.get("stage_str") or status.get("status_str") or ""
    return SyncTimeoutError(slug, timeout, one_line(str(stage), 60))


class _Trend:
    """When processing should end, from the ``sync_progress`` (0-100) statuses report."""

    def __init__(self, backoff: PollBackoff) -> None:
        self._backoff = backoff
        self._first: tuple[float, float] | None = None

    def remaining(self, status: dict[str, Any]) -> float | None:
        """Seconds until the progress seen so far reaches 100, or None if it can't tell."""
        progress = status.get("sync_progress")
        if not isinstance(progress, (int, float)) or not 0 < progress < 100:
            return None
        now = self._backoff.clock()
        if self._first is None:
            self._first = (now, float(progress))
            return None
        then, before = self._first
        if progress <= before or now <= then:
            return None
        left = (100 - progress) * (now - then) / (progress - before)
        # A little late beats a little early: an early poll only finds it still running.
        return min(max(left * 1.1, self._backoff.first / 4), self._backoff.cap)


Wait = Callable[[threading.Event, "float | None"], object]
"""How the poller's thread waits: for ``timeout`` seconds (None: until woken) on the event
set when there is new work. Tests pass one that advances a fake clock instead."""


def _wait(wake: threading.Event, timeout: float | None) -> object:
    return wake.wait(timeout)


@dataclass
class _Followed:
    """A package the poller follows until it has finished processing."""

    owner: str
    repo: str
    slug: str
    started: float
    deadline: float
    interval: float
    trend: _Trend
    on_status: Callable[[dict[str, Any]], None] | None
    future: Future[dict[str, Any]] = field(default_factory=Future)


class Poller:
    """One thread that follows every package being processed, polling each when it is due.

    A package's first poll comes when the quickest package followed so far had finished
    (at least ``backoff``'s first interval after following began): in a run of similar
    packages most need one status request each. Later polls follow ``backoff``, or the
    end that ``sync_progress`` predicts. The status requests themselves run on ``workers``
    threads, so a slow answer holds up no other package; the client's rate limiter paces
    them with everything else. Use as a context manager, or :meth:`close` it.
    """

    def __init__(
        self,
        client: CloudsmithClient,
        *,
        backoff: PollBackoff | None = None,
        workers: int = 4,
        wait: Wait = _wait,
    ) -> None:
        self._client = client
        self._backoff = backoff or PollBackoff()
        self._clock = self._backoff.clock
        self._wait = wait
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._due: list[tuple[float, int, _Followed]] = []
        self._order = itertools.count()
        self._closed = False
        self._quickest: float | None = None
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="pubsmith-poll")
        self._thread = threading.Thread(target=self._run, name="pubsmith-poller", daemon=True)
        self._thread.start()

    def __enter__(self) -> Poller:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def follow(
        self,
        owner: str,
        repo: str,
        slug: str,
        *,
        timeout: float,
        initial: dict[str, Any] | None = None,
        on_status: Callable[[dict[str, Any]], None] | None = None,
    ) -> Future[dict[str, Any]]:
        """Follow a package; the future holds its status once synchronised.

        It fails with :class:`ProcessingError` if processing fails and
        :class:`SyncTimeoutError` after ``timeout`` seconds. ``initial`` is a status
        already in hand (a create answer); each status seen goes to ``on_status``.
        """
        now = self._clock()
        # The first poll waits ``first`` (or what the quickest package took); the intervals
        # after it grow from there, as PollBackoff's do.
        followed = _Followed(
            owner,
            repo,
            slug,
            now,
            now + timeout,
            self._backoff.first * self._backoff.factor,
            _Trend(self._backoff),
            on_status,
        )
        if initial is not None and self._settled(followed, initial):
            return followed.future
        with self._lock:
            first = max(self._backoff.first, self._quickest or 0.0)
        self._schedule(followed, min(now + first, followed.deadline))
        return followed.future

    def close(self) -> None:
        """Stop polling; packages still followed fail with a :class:`TransportError`."""
        with self._lock:
            self._closed = True
            left, self._due = self._due, []
        self._wake.set()
        self._thread.join()
        self._pool.shutdown(wait=True)
        for _, _, followed in left:
            if not followed.future.done():
                followed.future.set_exception(
                    TransportError(f"stopped waiting for package {followed.slug}")
                )

    def _schedule(self, followed: _Followed, when: float) -> None:
        with self._lock:
            if self._closed:
                followed.future.set_exception(
                    TransportError(f"stopped waiting for package {followed.slug}")
                )
                return
            heapq.heappush(self._due, (when, next(self._order), followed))
        self._wake.set()

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._closed:
                    return
                now = self._clock()
                if self._due and self._due[0][0] <= now:
                    followed: _Followed | None = heapq.heappop(self._due)[2]
                    delay: float | None = 0.0
                else:
                    followed = None
                    delay = self._due[0][0] - now if self._due else None
                    self._wake.clear()
            if followed is not None:
                self._pool.submit(self._poll, followed)
            else:
                self._wait(self._wake, delay)

    def _poll(self, followed: _Followed) -> None:
        try:
            status = self._client.package_status(followed.owner, followed.repo, followed.slug)
        except BaseException as exc:  # the waiter gets every failure, not this thread
            followed.future.set_exception(exc)
            return
        if self._settled(followed, status):
            return
        now = self._clock()
        if now >= followed.deadline:
            timeout = followed.deadline - followed.started
            followed.future.set_exception(_timed_out(followed.slug, timeout, status))
            return
        wanted = followed.trend.remaining(status)
        delay = followed.interval if wanted is None else wanted
        followed.interval = min(followed.interval * self._backoff.factor, self._backoff.cap)
        self._schedule(followed, min(now + delay, followed.deadline))

    def _settled(self, followed: _Followed, status: dict[str, Any]) -> bool:
        """Resolve the future if ``status`` is final; True if it was."""
        if followed.on_status is not None:
            followed.on_status(status)
        if status.get("is_sync_completed"):
            took = self._clock() - followed.started
            with self._lock:
                self._quickest = took if self._quickest is None else min(self._quickest, took)
            followed.future.set_result(status)
            return True
        if status.get("is_sync_failed"):
            followed.future.set_exception(_failure(followed.slug, status))
            return True
        return False
