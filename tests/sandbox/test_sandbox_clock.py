"""The sandbox's clock: the system's by default, or a manual one a test moves on."""

from __future__ import annotations

import math

import pytest

from pubsmith_sandbox import Clock, ManualClock, SandboxConfig
from pubsmith_sandbox.clock import clock_named
from pubsmith_sandbox.errors import SandboxConfigError


def test_a_manual_clock_stands_still_until_advanced_and_tells_its_listeners() -> None:
    clock = ManualClock(start=1000.0)
    heard: list[float] = []

    def listener() -> None:
        heard.append(clock.now())  # called after the move, and free to read the clock

    clock.subscribe(listener)
    assert clock.now() == clock.now() == 1000.0
    assert clock.advance(2.5) == 1002.5
    assert clock.advance(0) == 1002.5
    clock.unsubscribe(listener)
    clock.unsubscribe(listener)  # twice is harmless
    clock.advance(1)
    assert heard == [1002.5, 1002.5]
    assert clock.as_dict() == {"now": 1003.5, "manual": True}
    assert clock.real_seconds(60) is None  # waiting for it is pointless


def test_a_manual_clock_starts_at_the_systems_time() -> None:
    assert abs(ManualClock().now() - Clock().now()) < 3600


@pytest.mark.parametrize("seconds", [-1, math.nan, math.inf, True, "5", None])
def test_a_manual_clock_never_goes_back_or_jumps_by_nonsense(seconds: object) -> None:
    clock = ManualClock(start=0)
    with pytest.raises(SandboxConfigError, match="advances by a number of seconds >= 0"):
        clock.advance(seconds)  # type: ignore[arg-type]
    assert clock.now() == 0


def test_the_system_clock_cannot_be_advanced_and_says_what_can() -> None:
    clock = Clock()
    with pytest.raises(SandboxConfigError, match="start it with a manual clock"):
        clock.advance(1)
    assert clock.real_seconds(2.5) == 2.5
    assert clock.as_dict()["manual"] is False


def test_clocks_by_name_and_in_the_config() -> None:
    assert type(clock_named("real")) is Clock
    assert type(clock_named("manual")) is ManualClock
    with pytest.raises(SandboxConfigError, match="'real' or 'manual', not 'sundial'"):
        clock_named("sundial")
    assert type(SandboxConfig().clock) is Clock
    with pytest.raises(SandboxConfigError, match="clock must be a pubsmith_sandbox Clock"):
        SandboxConfig(clock="manual")  # type: ignore[arg-type]
    with pytest.raises(SandboxConfigError, match="starts at epoch seconds"):
        ManualClock(start=math.nan)
