"""--bandwidth: one token bucket shapes every upload body, shared as a real link is."""

from __future__ import annotations

import hashlib
import io
import threading

import httpx
import pytest

from pubsmith_sandbox import Faults
from pubsmith_sandbox.errors import SandboxConfigError
from pubsmith_sandbox.link import MIB, Link, ShapedBody
from tests.support.clocks import FakeClock
from tests.support.sandbox_api import OPEN_SANDBOX

pytestmark = OPEN_SANDBOX


def test_without_a_bandwidth_nothing_waits() -> None:
    clock = FakeClock(100.0)
    link = Link(None, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        link.take(MIB)
    assert clock.sleeps == []


def test_bytes_pass_at_the_configured_rate_after_a_short_burst() -> None:
    clock = FakeClock(100.0)
    link = Link(10, clock=clock, sleep=clock.sleep)  # 10 MiB/s
    for _ in range(100):  # 100 MiB, read a MiB at a time
        link.take(MIB)
    # 10 s for 100 MiB, less the 50 ms the bucket lets through at once.
    assert sum(clock.sleeps) == pytest.approx(10.0 - 0.05)


def test_parallel_readers_share_one_link() -> None:
    clock = FakeClock(100.0)
    link = Link(100, clock=clock, sleep=clock.sleep)
    threads = [
        threading.Thread(target=lambda: [link.take(MIB) for _ in range(50)]) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 200 MiB through one 100 MiB/s link take 2 s whoever sends them, not 0.5 s each.
    assert clock.now - 100.0 == pytest.approx(2.0 - 0.05, abs=0.02)


def test_a_shaped_body_reads_through_the_link() -> None:
    clock = FakeClock(100.0)
    body = ShapedBody(io.BytesIO(b"x" * (3 * MIB)), Link(1, clock=clock, sleep=clock.sleep))
    buffer = memoryview(bytearray(MIB))
    assert [body.readinto(buffer) for _ in range(4)] == [MIB, MIB, MIB, 0]
    assert sum(clock.sleeps) == pytest.approx(3.0 - 0.05)


def test_reconfiguring_takes_effect_at_once() -> None:
    clock = FakeClock(100.0)
    link = Link(1, clock=clock, sleep=clock.sleep)
    link.configure(None)
    link.take(100 * MIB)
    assert clock.sleeps == []


@pytest.mark.parametrize("bad", [0, -5, "fast", True])
def test_a_bandwidth_must_be_a_positive_number(bad: object) -> None:
    with pytest.raises(SandboxConfigError, match="bandwidth must be MiB a second > 0"):
        Faults(bandwidth=bad)  # type: ignore[arg-type]


def test_the_bandwidth_is_a_live_setting_and_uploads_still_arrive_whole(
    api: httpx.Client, plain: httpx.Client
) -> None:
    assert api.post("/_sandbox/config", json={"bandwidth": 512}).json()["bandwidth"] == 512
    created = api.post(
        "/files/acme/sandbox/", json={"filename": "a.bin", "method": "put_parts"}
    ).json()
    data = b"y" * (3 * MIB + 5)
    part = plain.put(
        created["upload_url"],
        params={"upload_id": created["identifier"], "part_number": 1},
        content=data,
        headers={"X-Api-Key": api.headers["X-Api-Key"]},
    )
    assert part.status_code == 200
    # Completing checks the whole file's checksum: every shaped byte arrived, in order.
    completed = api.post(
        f"/files/acme/sandbox/{created['identifier']}/complete/",
        json={
            "upload_id": created["identifier"],
            "complete": True,
            "filename": "a.bin",
            "method": "put_parts",
            "sha256_checksum": hashlib.sha256(data).hexdigest(),
        },
    )
    assert completed.status_code == 201, completed.text
