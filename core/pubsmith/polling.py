"""Wait for Cloudsmith to finish processing a package, under a deadline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
) -> dict[str, Any]:
    """Poll the package's status until it is synchronised, and return that status.

    Polls start at ``backoff``'s short first interval and slow down to its cap; each
    status is passed to ``on_status``. Raises :class:`ProcessingError` with the server's
    ``status_reason`` when processing fails, and :class:`SyncTimeoutError` when
    ``timeout`` seconds pass first.
    """
    status: dict[str, Any] = {}
    for _ in (backoff or PollBackoff()).polls(timeout):
        status = client.package_status(owner, repo, slug)
        if on_status is not None:
            on_status(status)
        if status.get("is_sync_completed"):
            return status
        if status.get("is_sync_failed"):
            reason = str(status.get("status_reason") or "").strip()
            raise ProcessingError(slug, reason or "no reason given by the server")
    stage = status.get("stage_str") or status.get("status_str") or ""
    raise SyncTimeoutError(slug, timeout, str(stage))
