"""The sandbox's time: the system clock, or a manual one that moves only when told to.

Everything the sandbox does by the clock reads it: processing time, the rate-limit window
and ``Retry-After``, the expiry of OIDC tokens, of the keys exchanged for them and of
presigned upload URLs, and every timestamp it answers with. A test that runs a sandbox on
a :class:`ManualClock` makes time pass with :meth:`ManualClock.advance` instead of
sleeping, and a subprocess sandbox started with ``--clock manual`` is advanced with
``POST /_sandbox/clock/ {"advance": SECONDS}``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from pubsmith_sandbox.errors import SandboxConfigError

__all__ = ["Clock", "ManualClock", "clock_named"]

Listener = Callable[[], None]


class Clock:
    """The system's clock, in seconds since the epoch: the default."""

    manual = False

    def now(self) -> float:
        return time.time()

    def real_seconds(self, seconds: float) -> float | None:
        """How long to really wait for ``seconds`` of this clock to pass.

        ``None``: waiting is pointless, only :meth:`ManualClock.advance` moves the clock
        (and it tells those waiting through :meth:`subscribe`).
        """
        return seconds

    def advance(self, seconds: float) -> float:
        """Move the clock on; only a manual clock can."""
        raise SandboxConfigError(
            "this sandbox runs on the system clock, which cannot be advanced; "
            "start it with a manual clock (clock=ManualClock(), or --clock manual)"
        )

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener`` after each :meth:`advance` (the system clock never jumps)."""

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener``; harmless when it was never subscribed."""

    def as_dict(self) -> dict[str, object]:
        """What ``GET /_sandbox/clock/`` answers."""
        return {"now": self.now(), "manual": self.manual}


class ManualClock(Clock):
    """A clock that stands still until :meth:`advance` moves it; it never goes back.

    It starts at ``start`` (default: the system's time now), so timestamps still look
    like today's. Advancing returns once the sandboxes running on it have caught up:
    every package that fell due by the new time has finished processing.
    """

    manual = True

    def __init__(self, start: float | None = None) -> None:
        if start is not None and not _finite(start):
            raise SandboxConfigError(f"a clock starts at epoch seconds, not {start!r}")
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def real_seconds(self, seconds: float) -> float | None:
        return None

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` on and return the new time."""
        if not _finite(seconds) or seconds < 0:
            raise SandboxConfigError(
                f"the clock advances by a number of seconds >= 0, not {seconds!r}"
            )
        with self._lock:
            self._now += float(seconds)
            now = self._now
            listeners = list(self._listeners)
        for listener in listeners:  # outside the lock: a listener may read the clock
            listener()
        return now

    def subscribe(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)


def clock_named(name: str) -> Clock:
    """The clock the ``--clock`` option names: ``real`` (the default) or ``manual``."""
    if name == "real":
        return Clock()
    if name == "manual":
        return ManualClock()
    raise SandboxConfigError(f"the clock is 'real' or 'manual', not {name!r}")


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
