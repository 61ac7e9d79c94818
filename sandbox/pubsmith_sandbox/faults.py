"""Decide, per request and per package, which fault to inject, from one seeded RNG."""

from __future__ import annotations

import fnmatch
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass

from pubsmith_sandbox.config import Faults

__all__ = ["FaultInjector", "FaultPlan"]

ERROR_STATUSES = (500, 502, 503)


@dataclass(frozen=True)
class FaultPlan:
    """What happens to one request: added latency, then at most one of the others."""

    latency: float = 0.0
    reset_before: bool = False
    error_status: int | None = None
    reset_after: bool = False


class FaultInjector:
    """The current :class:`Faults`, drawn from in a fixed order so a seed repeats a run.

    ``record`` is called with a fault kind each time one is injected (for ``/_sandbox/state``).
    """

    def __init__(self, faults: Faults, record: Callable[[str], None]) -> None:
        self._lock = threading.Lock()
        self._record = record
        self._faults = faults
        self._random = random.Random(faults.seed)  # noqa: S311 - repeatable, not secret

    @property
    def faults(self) -> Faults:
        return self._faults

    def configure(self, faults: Faults) -> None:
        """Switch to ``faults``; a new seed restarts the random sequence."""
        with self._lock:
            if faults.seed is not None and faults.seed != self._faults.seed:
                self._random = random.Random(faults.seed)  # noqa: S311 - repeatable, not secret
            self._faults = faults

    def plan(self) -> FaultPlan:
        with self._lock:
            faults = self._faults
            reset_before = self._draw(faults.reset_before_rate)
            error = self._draw(faults.error_rate)
            status = self._random.choice(ERROR_STATUSES) if error else None
            reset_after = self._draw(faults.reset_after_rate)
        plan = FaultPlan(
            latency=faults.latency_ms / 1000,
            reset_before=reset_before,
            error_status=None if reset_before else status,
            reset_after=reset_after and not reset_before and status is None,
        )
        for kind, applied in (
            ("latency", plan.latency > 0),
            ("reset_before", plan.reset_before),
            ("error", plan.error_status is not None),
            ("reset_after", plan.reset_after),
        ):
            if applied:
                self._record(kind)
        return plan

    def processing_failure(self, name: str | None, filename: str) -> str | None:
        """The reason a package must fail processing, or None to let it through."""
        reason: str | None
        with self._lock:
            faults = self._faults
            for glob in faults.fail_processing:
                if any(fnmatch.fnmatchcase(value, glob) for value in (name or "", filename)):
                    reason = f"Processing failed (sandbox fault injected for {glob!r})."
                    break
            else:
                drawn = self._draw(faults.fail_processing_rate)
                reason = "Processing failed (sandbox fault injected at random)." if drawn else None
        if reason:
            self._record("fail_processing")
        return reason

    def _draw(self, rate: float) -> bool:
        # Rates of zero draw nothing, so switching one fault on does not shift the others.
        return rate > 0 and self._random.random() < rate
