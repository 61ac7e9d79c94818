"""Fake clocks for pubsmith's injectable clock and sleep (retry, polling, pacing, deadlines)."""

from __future__ import annotations

import threading

__all__ = ["FakeClock", "Ticking"]


class FakeClock:
    """Time that moves only when something sleeps; threads may sleep on it at once."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


class Ticking:
    """A clock that moves one second each time it is read: a deadline passes in a few looks."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now
