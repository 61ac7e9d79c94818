"""Bounded: a server that accepts connections and never answers cannot hang a publish.

Every request has connect and read timeouts and a retry budget; a request that creates
something is not repeated after a timeout; once a server has stayed silent through a whole
retry budget, the other packages of the run stop instead of each waiting as long again;
and waiting for processing ends at ``--wait-timeout``. An answer that trickles in, each
byte within the read timeout, ends at the request's deadline (``--timeout``): tests see
that on a clock that moves each time it is read, or with a deadline of a fraction of a
second, never by waiting it out.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from pubsmith.client import CloudsmithClient
from pubsmith.errors import AmbiguousResultError, TransportError
from pubsmith.options import PublishOptions
from pubsmith.pipeline import Pipeline
from pubsmith.publishing import plan_files
from pubsmith.registry import FormatRegistry
from pubsmith.retry import RetryPolicy
from pubsmith.settings import Repository
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import error_lines, pubsmith
from tests.support.clocks import FakeClock, Ticking

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
        options = PublishOptions(concurrency=2, resume=False)
        results = Pipeline(client, Repository("acme", "repo"), options).run(plans)
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


class TricklingServer:
    """Answers each request by ``answer(method, path)``: a whole answer, or the first bytes
    of one followed by one more byte every 20 ms until the client hangs up."""

    def __init__(self, answer: Callable[[str, str], tuple[bytes, bool]]) -> None:
        self.answer = answer
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests: list[tuple[str, str]] = []
        self.stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket) -> None:
        with connection, connection.makefile("rb") as reader:
            while not self.stop.is_set():
                request_line = reader.readline().decode()
                if not request_line:
                    return
                method, path, _ = request_line.split(" ", 2)
                length = 0
                while (line := reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                reader.read(length)
                self.requests.append((method, path))
                head, trickle = self.answer(method, path)
                try:
                    connection.sendall(head)
                    while trickle and not self.stop.wait(0.02):
                        connection.sendall(b" ")
                except OSError:
                    return  # the client gave up: what the test is after
                if trickle:
                    return

    def close(self) -> None:
        self.stop.set()
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self._thread.join()
        for thread in self._threads:
            thread.join(timeout=5)


def whole(body: dict[str, object]) -> tuple[bytes, bool]:
    content = json.dumps(body).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(content)}\r\n\r\n"
    return head.encode() + content, False


BODY_TRICKLE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
)
HEADER_TRICKLE = b"HTTP/1.1 200 OK\r\nX-Slowly: "


@pytest.fixture
def trickling(request: pytest.FixtureRequest) -> Iterator[TricklingServer]:
    """A server answering as the ``answers()`` the test is parametrized with say."""
    server = TricklingServer(request.param())
    yield server
    server.close()


@pytest.mark.parametrize(
    "trickling",
    [
        lambda: lambda method, path: (BODY_TRICKLE, True),
        lambda: lambda method, path: (HEADER_TRICKLE, True),
    ],
    ids=["body", "headers"],
    indirect=True,
)
def test_an_answer_that_trickles_in_ends_at_the_deadline(trickling: TricklingServer) -> None:
    # Each byte comes well within the read timeout, so only the deadline can end it: 30 s
    # on a clock that moves a second each time the client reads it.
    policy = RetryPolicy(max_attempts=1, request_timeout=30, clock=Ticking())
    with (
        CloudsmithClient(trickling.url, KEY, policy=policy) as client,
        pytest.raises(TransportError) as raised,
    ):
        client.user_self()
    assert str(raised.value) == (
        f"look up the API key's user: {trickling.url.removeprefix('http://')} did not "
        "finish within the 30 s deadline; check the network, or raise --timeout for a slow one"
    )


def promote_answers(method: str, path: str) -> tuple[bytes, bool]:
    if path.endswith("/copy/"):
        return BODY_TRICKLE, True
    return whole({"is_sync_completed": True, "status_str": "Completed"})


@pytest.mark.parametrize("trickling", [lambda: promote_answers], indirect=True)
@pytest.mark.e2e
def test_the_cli_ends_a_trickling_create_at_its_timeout_in_one_line(
    trickling: TricklingServer,
) -> None:
    completed = pubsmith(
        "promote",
        "acme/staging/slug1",
        "--to",
        "production",
        "--no-wait",
        "--timeout",
        "0.5",
        env={"CLOUDSMITH_API_HOST": trickling.url, "CLOUDSMITH_API_KEY": KEY},
    )
    assert completed.returncode == 5, completed.stderr
    [line] = error_lines(completed.stderr)
    assert line == (
        f"error: copy package slug1 from acme/staging to production: "
        f"{trickling.url.removeprefix('http://')} did not finish within the 0.5 s deadline; "
        "it may have taken effect, so it was not repeated: check before sending it again"
    )
    assert "Traceback" not in completed.stderr
    # The source's status, the source itself (is it in production already?), the copy.
    assert [method for method, _ in trickling.requests] == ["GET", "GET", "POST"]


def first_trickles() -> Callable[[str, str], tuple[bytes, bool]]:
    seen: list[str] = []

    def answer(method: str, path: str) -> tuple[bytes, bool]:
        seen.append(path)
        if len(seen) == 1:
            return BODY_TRICKLE, True
        return whole({"is_sync_completed": True, "status_str": "Completed"})

    return answer


@pytest.mark.parametrize("trickling", [first_trickles], indirect=True)
@pytest.mark.e2e
def test_an_attempt_cut_at_its_deadline_is_retried_within_the_budget(
    trickling: TricklingServer,
) -> None:
    completed = pubsmith(
        "status",
        "acme/staging/slug1",
        "--timeout",
        "0.5",
        env={"CLOUDSMITH_API_HOST": trickling.url, "CLOUDSMITH_API_KEY": KEY},
    )
    assert completed.returncode == 0, completed.stderr
    assert "acme/staging/slug1: Completed" in completed.stdout
    assert trickling.requests == [("GET", "/packages/acme/staging/slug1/status/")] * 2
