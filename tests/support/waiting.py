"""Waiting for what a test can only observe: never for time to pass."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

__all__ = ["wait_for"]

T = TypeVar("T")

_POLL = 0.01


def wait_for(condition: Callable[[], T], what: str, *, timeout: float = 30.0) -> T:
    """Call ``condition`` until it returns something true, and return that.

    For states another thread or process reaches in its own time (a file a subprocess
    writes, a package a sandbox processes); ``timeout`` only stops a broken run from
    waiting for ever, and fails the test naming ``what`` was awaited.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"waited {timeout:g} s for {what}, in vain")
        time.sleep(_POLL)
