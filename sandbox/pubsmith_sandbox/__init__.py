"""A local Cloudsmith-compatible API server: ``pubsmith sandbox``, in-process or as a fixture.

``SandboxConfig`` and ``Faults`` import nothing heavy; the server itself (``Sandbox``,
``running_sandbox``) is imported on first use, so loading the pytest plugin stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pubsmith_sandbox.clock import Clock, ManualClock
from pubsmith_sandbox.config import Faults, SandboxConfig

if TYPE_CHECKING:
    from pubsmith_sandbox.runner import Sandbox, running_sandbox

__all__ = ["Clock", "Faults", "ManualClock", "Sandbox", "SandboxConfig", "running_sandbox"]

_LAZY = {"Sandbox": "pubsmith_sandbox.runner", "running_sandbox": "pubsmith_sandbox.runner"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
