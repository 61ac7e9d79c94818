"""Wait for Cloudsmith to finish processing a package, under a deadline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pubsmith._answers import one_line
from pubsmith.client import CloudsmithClient
from pubsmith.errors import ProcessingError, TransportError
from pubsmith.retry import PollBackoff

__all__ = ["SyncTimeoutError", "wait_for_sync"]


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
            reason = one_line(str(status.get("status_reason") or ""), 1000)
            raise ProcessingError(slug, reason or "no reason given by the server")
        wait = trend.remaining(status)
        try:
            polls.send(wait)
        except StopIteration:
            stage = status.get("stage_str") or status.get("status_str") or ""
            raise SyncTimeoutError(slug, timeout, one_line(str(stage), 60)) from None
        status = None


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
