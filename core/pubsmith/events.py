"""Typed events of a publish run, for displays, logs and embedding scripts.

Every package moves through the stages of :data:`Stage`; each move is a
:class:`StageChanged`. Bytes on their way out are :class:`Transferred`, a package's end is
:class:`Finished`, and the HTTP layer reports :class:`Retrying` and :class:`Throttled`
pauses so that a long silence always has a reason on screen. Events arrive on worker
threads, in order per package; a subscriber must be quick and thread-safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pubsmith.results import PublishResult

__all__ = [
    "STAGES",
    "Event",
    "EventSink",
    "Finished",
    "Retrying",
    "Stage",
    "StageChanged",
    "Throttled",
    "Transferred",
]

Stage = Literal["preflight", "queued", "transfer", "create", "await", "promote", "done"]
"""Where a package is: checked by the server before any byte moves (``preflight``), waiting
for a transfer slot (``queued``), its files going up (``transfer``), the package being
created (``create``), the server processing it (``await``), being copied to the promotion
repository (``promote``), finished (``done``)."""

STAGES: tuple[Stage, ...] = (
    "preflight",
    "queued",
    "transfer",
    "create",
    "await",
    "promote",
    "done",
)


@dataclass(frozen=True)
class StageChanged:
    """``file`` entered ``stage``; ``detail`` says more (the server's status while awaiting)."""

    file: str
    stage: Stage
    detail: str = ""


@dataclass(frozen=True)
class Transferred:
    """``sent`` of ``total`` bytes of ``file``'s uploads are out; a retry can lower it."""

    file: str
    sent: int
    total: int


@dataclass(frozen=True)
class Finished:
    """A package's final result: published, skipped, failed, checked or planned."""

    result: PublishResult


@dataclass(frozen=True)
class Retrying:
    """A request failed in a way worth another try, which follows after ``delay`` seconds."""

    operation: str
    reason: str
    attempt: int
    """The attempt about to be made (2 for the first retry)."""
    attempts: int
    """At most this many."""
    delay: float


@dataclass(frozen=True)
class Throttled:
    """The API's rate limit is nearly spent: requests pause ``delay`` seconds to stay within it."""

    delay: float


Event = StageChanged | Transferred | Finished | Retrying | Throttled
EventSink = Callable[[Event], None]
