"""Kills: a multipart upload killed at random points resumes, and ends as one whole package.

``pubsmith publish`` is SIGKILLed (no cleanup of any kind) once its resume state in the
cache directory shows a seeded-random number of accepted parts, then the same command runs
again with the same cache. The sandbox counts the part bytes it receives, so each run's
traffic is measured where it lands.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pubsmith_sandbox import Faults
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import pubsmith, start_pubsmith
from tests.support.sandbox_api import stored_packages
from tests.support.waiting import wait_for

REPO = "acme/resume"
KEY = "kills-key-9f3a61c0de"
MiB = 1024 * 1024
CHUNK = 5 * MiB  # the smallest --chunk-size the CLI accepts
SIZE = 48 * MiB
PARTS = -(-SIZE // CHUNK)
SEED = 1729

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    # Latency on every request stretches the upload so the kills land where intended.
    pytest.mark.cloudsmith_sandbox(
        repos=[REPO], api_key=KEY, sync_seconds=0.2, faults=Faults(latency_ms=250)
    ),
]


def seeded(offset: int = 0) -> random.Random:
    """Repeatable test data and kill points (not secrets)."""
    return random.Random(SEED + offset)  # noqa: S311


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "firmware.bin"
    path.write_bytes(seeded().randbytes(SIZE))
    return path


def command(big: Path, chunk: str = "5M") -> list[str]:
    return [
        "publish",
        str(big),
        "--repo",
        REPO,
        "--format",
        "raw",
        "-o",
        "version=1",
        "--chunk-size",
        chunk,
        "--json",
    ]


def environment(sandbox: SandboxFixture, cache: Path) -> dict[str, str]:
    return {
        "CLOUDSMITH_API_HOST": sandbox.url,
        "CLOUDSMITH_API_KEY": KEY,
        "XDG_CACHE_HOME": str(cache),
    }


def resume_record(cache: Path) -> dict[str, Any] | None:
    records = list((cache / "pubsmith" / "uploads").glob("*.json"))
    assert len(records) <= 1, records
    try:
        return json.loads(records[0].read_text()) if records else None
    except (OSError, ValueError):
        return None  # replaced while read: try again


def kill_after(sandbox: SandboxFixture, big: Path, cache: Path, parts: int) -> None:
    """Run the command and SIGKILL it as soon as ``parts`` parts are recorded.

    The parts after them are under way then (four at a time, each held 250 ms by the
    sandbox's latency), so the kill cuts them off.
    """
    process = start_pubsmith(
        *command(big),
        env=environment(sandbox, cache),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def reached() -> bool:
        record = resume_record(cache)
        if record is not None and len(record["parts"]) >= parts:
            return True
        assert process.poll() is None, "pubsmith ended before the kill point"
        return False

    try:
        wait_for(reached, f"{parts} parts accepted", timeout=60)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


def settled_bytes(sandbox: SandboxFixture) -> int:
    """Part bytes received so far, once the killed client's last requests have ended."""
    sandbox.wait_idle()
    return int(sandbox.state()["bytes_received"].get("sandbox_upload_part", 0))


def test_killed_uploads_resume_and_end_as_one_whole_package(
    sandbox: SandboxFixture, big: Path, tmp_path: Path
) -> None:
    rng = seeded()
    cache = tmp_path / "cache"
    # After the first part, somewhere in the middle, and with every part in (complete next).
    points = [1, rng.randint(PARTS // 2, PARTS - 2), PARTS]
    sent_by_run: list[int] = []
    left_by_run: list[int] = []
    for parts in points:
        before = settled_bytes(sandbox)
        record = resume_record(cache)
        done = set(record["parts"]) if record else set()
        left_by_run.append(SIZE - sum(min(CHUNK, SIZE - (n - 1) * CHUNK) for n in done))
        # Parts run four at a time, so a run may pass a point before it is looked at.
        kill_after(sandbox, big, cache, max(parts, len(done) + 1))
        sent_by_run.append(settled_bytes(sandbox) - before)
        uploads = sandbox.state()["uploads"]
        # Kept for the next run, never doubled; the last kill may land after the complete.
        assert uploads["open"] + uploads["completed"] == 1 and uploads["aborted"] == 0

    record = resume_record(cache)
    assert record is not None and len(record["parts"]) == PARTS
    before = settled_bytes(sandbox)
    completed = pubsmith(*command(big), env=environment(sandbox, cache))
    resumed_bytes = settled_bytes(sandbox) - before

    assert completed.returncode == 0, completed.stderr
    [result] = json.loads(completed.stdout)
    assert result["status"] == "published"
    [package] = stored_packages(sandbox)
    assert package["checksum_sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
    assert package["size"] == SIZE
    # Every part had been accepted before the last kill: the final run sent none again.
    assert resumed_bytes == 0
    # Each killed run after the first went on from the parts recorded before it.
    for sent, left in zip(sent_by_run[1:], left_by_run[1:], strict=True):
        assert 0 < sent <= left < SIZE
    assert sandbox.state()["uploads"] == {"open": 0, "completed": 1, "aborted": 0, "failed": 0}
    assert resume_record(cache) is None


def test_a_run_killed_midway_resumes_with_only_the_missing_parts(
    sandbox: SandboxFixture, big: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    kill_after(sandbox, big, cache, seeded(1).randint(2, PARTS - 2))
    record = resume_record(cache)
    assert record is not None
    missing = [n for n in range(1, PARTS + 1) if n not in record["parts"]]
    expected = sum(min(CHUNK, SIZE - (n - 1) * CHUNK) for n in missing)
    before = settled_bytes(sandbox)

    completed = pubsmith(*command(big), env=environment(sandbox, cache))

    sent = settled_bytes(sandbox) - before
    assert completed.returncode == 0, completed.stderr
    assert 0 < sent == expected < SIZE
    [package] = stored_packages(sandbox)
    assert package["checksum_sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
    assert sandbox.state()["uploads"]["open"] == 0


def test_stale_resume_state_is_aborted_and_the_file_sent_afresh(
    sandbox: SandboxFixture, big: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    kill_after(sandbox, big, cache, 2)
    # Another chunk size cannot continue the parts sent so far: that upload is given up.
    completed = pubsmith(*command(big, chunk="8M"), env=environment(sandbox, cache))

    assert completed.returncode == 0, completed.stderr
    [package] = stored_packages(sandbox)
    assert package["checksum_sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
    assert sandbox.state()["uploads"] == {"open": 0, "completed": 1, "aborted": 1, "failed": 0}
    assert resume_record(cache) is None
