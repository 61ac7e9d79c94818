"""Bounded: a server that accepts connections and never answers cannot hang a publish.

Every request has connect and read timeouts and a retry budget; a request that creates
something is not repeated after a timeout; once a server has stayed silent through a whole
retry budget, the other packages of the run stop instead of each waiting as long again;
and waiting for processing ends at ``--wait-timeout``.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pubsmith.client import CloudsmithClient
from pubsmith.errors import AmbiguousResultError, TransportError
from pubsmith.publishing import Publisher, plan_files
from pubsmith.registry import FormatRegistry
from pubsmith.retry import RetryPolicy
from pubsmith.settings import Repository
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import error_lines, pubsmith
from tests.support.clocks import FakeClock

KEY = "bounded-key-51c0a9"


class SilentServer:
    """Accepts every connection, reads nothing, answers nothing."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self.listener.close()
        self._thread.join()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def quick_client(url: str, clock: FakeClock | None = None) -> CloudsmithClient:
    timing = {"clock": clock, "sleep": clock.sleep} if clock else {}
    return CloudsmithClient(
        url,
        KEY,
        # The read is what the silent server never answers; connecting to it on loopback
        # always succeeds, and a connect timed out would count as never sent.
        timeout=httpx.Timeout(0.1, connect=10),
        policy=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, deadline=5, **timing),
    )


def test_a_silent_server_times_out_after_the_retry_budget(silent: SilentServer) -> None:
    clock = FakeClock()
    with quick_client(silent.url, clock) as client, pytest.raises(TransportError) as raised:
        client.files_validate(
            "acme", "repo", filename="a.txt", md5="0" * 32, sha256="0" * 64, method="post"
        )
    assert "timed out waiting for the answer from 127.0.0.1" in str(raised.value)
    assert "(after 3 attempts)" in str(raised.value)
    assert len(silent.connections) == 3
    # Three read timeouts of 0.1 s, and between them two waits no longer than max_delay.
    assert len(clock.sleeps) == 2 and all(0 <= wait <= 0.05 for wait in clock.sleeps)


def test_a_create_that_times_out_is_not_sent_again(silent: SilentServer) -> None:
    with quick_client(silent.url) as client, pytest.raises(AmbiguousResultError) as raised:
        client.create_package("acme", "repo", "raw", {"package_file": "abc"})
    assert "it may have taken effect, so it was not repeated" in str(raised.value)
    assert len(silent.connections) == 1


def test_a_silent_server_stops_the_whole_run_after_one_retry_budget(
    silent: SilentServer, tmp_path: Path
) -> None:
    files = []
    for index in range(6):
        path = tmp_path / f"file-{index}.txt"
        path.write_text(f"{index}\n")
        files.append(path)
    plans = plan_files(
        files, registry=FormatRegistry.load(), format_name="raw", options={"version": "1"}
    )
    with quick_client(silent.url) as client:
        results = Publisher(client, Repository("acme", "repo"), concurrency=2).publish(plans)
    assert [result.status for result in results] == ["failed"] * 6
    # The two packages under way each ran out of budget; the others stopped on the first.
    errors = Counter(result.error for result in results)
    assert len(errors) <= 2
    assert errors.most_common(1)[0][1] >= 5
    # Two packages were under way when the budget ran out; the other four never started.
    assert len(silent.connections) <= 2 * 3


# The sandbox's clock never moves: the package is processing for as long as pubsmith waits.
@pytest.mark.cloudsmith_sandbox(repos=["acme/slow"], api_key=KEY, clock="manual")
@pytest.mark.e2e
def test_waiting_for_processing_ends_at_the_wait_timeout(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("slow\n")
    completed = pubsmith(
        "publish",
        str(notes),
        "--repo",
        "acme/slow",
        "--format",
        "raw",
        "-o",
        "version=1",
        "--wait-timeout",
        "1",
        "--json",
        env={"CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": KEY},
    )
    assert sandbox.state()["packages"]["acme/slow"]["awaiting"] == 1
    assert completed.returncode == 5
    [line] = error_lines(completed.stderr)
    assert "is still processing" in line and "raise --wait-timeout or use --no-wait" in line
    [result] = json.loads(completed.stdout)
    assert result["status"] == "failed" and result["slug_perm"]
