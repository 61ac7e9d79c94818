"""The link upload bodies arrive over: unlimited, or shaped to a bandwidth shared by all.

With ``--bandwidth`` the sandbox models a real network between client and server: every
upload body (presigned POST and PUT, multipart parts) draws from one token bucket, so
parallel parts share the link as they would share a real one, and a client that does work
besides sending (hashing, say) is measured as it would be on that link.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from pubsmith_sandbox.bodies import Readable

__all__ = ["Link", "ShapedBody"]

MIB = 1024 * 1024

# What may pass at once before shaping starts: enough that each read of a body (1 MiB at
# most) never waits behind its own size, so throughput is not lost to the granularity.
_BURST_SECONDS = 0.05


class Link:
    """A token bucket of ``mib_per_s`` MiB a second (None: no limit), shared by all threads."""

    def __init__(
        self,
        mib_per_s: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._rate: float | None = None
        self._free_at = 0.0
        self.configure(mib_per_s)

    def configure(self, mib_per_s: float | None) -> None:
        with self._lock:
            self._rate = None if mib_per_s is None else mib_per_s * MIB
            self._free_at = self._clock()

    def take(self, count: int) -> float:
        """Let ``count`` bytes through, waiting if they exceed the bandwidth; returns the wait."""
        with self._lock:
            if self._rate is None or count <= 0:
                return 0.0
            now = self._clock()
            # When everything let through so far, at the link's rate, will have passed.
            self._free_at = max(self._free_at, now - _BURST_SECONDS) + count / self._rate
            wait = self._free_at - now - _BURST_SECONDS
        if wait > 0:
            self._sleep(wait)
            return wait
        return 0.0


class ShapedBody:
    """A request body read through a :class:`Link`."""

    def __init__(self, body: Readable, link: Link) -> None:
        self._body = body
        self._link = link

    def readinto(self, buffer: memoryview) -> int:
        count = self._body.readinto(buffer)
        self._link.take(count)
        return count
