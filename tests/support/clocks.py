"""A fake clock for pubsmith's injectable clock and sleep (retry, polling, pacing)."""

from __future__ import annotations

__all__ = ["FakeClock"]


class FakeClock:
    """Time that moves only when something sleeps."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds
