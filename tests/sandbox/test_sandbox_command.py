"""``pubsmith sandbox`` (and ``pubsmith-sandbox``) as a process: one URL line on stdout,
serve, stop cleanly; without the sandbox installed, one line saying what to install."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import pubsmith, start_pubsmith
from tests.support.http_clients import http_client, http_get, http_post
from tests.support.sandbox_api import REPO, publish

PUBSMITH_SANDBOX = [sys.executable, "-m", "pubsmith", "sandbox"]
STANDALONE = [sys.executable, "-c", "from pubsmith_sandbox.cli import main; main()"]

pytestmark = pytest.mark.e2e


def _start(*args: str) -> subprocess.Popen[str]:
    return start_pubsmith("sandbox", *args)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serves_until_signalled_and_exits_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    process = _start(
        "--port",
        "0",
        "--data",
        str(tmp_path / "data"),
        "--repo",
        "acme/one",
        "--repo",
        "acme/two",
        "--api-key",
        "k",
        "--sync-seconds",
        "0.1",
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with http_client(base_url=url, headers={"X-Api-Key": "k"}) as api:
            assert api.get("/packages/acme/two/").status_code == 200
            assert api.get("/packages/acme/sandbox/").status_code == 404
            assert api.get("/_sandbox/config").json()["sync_seconds"] == 0.1
        process.send_signal(stop)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert out == ""
    assert (tmp_path / "data" / "sandbox.sqlite3").is_file()


def test_fault_flags_reach_the_running_sandbox(tmp_path: Path) -> None:
    process = _start(
        "--error-rate",
        "0.25",
        "--reset-before-rate",
        "0.1",
        "--reset-after-rate",
        "0.05",
        "--latency-ms",
        "5",
        "--rate-limit",
        "1000",
        "--rate-interval",
        "60",
        "--fail-processing-rate",
        "0.5",
        "--fail-processing",
        "bad-*",
        "--seed",
        "9",
        "--bandwidth",
        "50",
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        settings = http_get(f"{url}/_sandbox/config").json()
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    assert settings == {
        "sync_seconds": 0.5,
        "error_rate": 0.25,
        "reset_before_rate": 0.1,
        "reset_after_rate": 0.05,
        "latency_ms": 5,
        "rate_limit": 1000,
        "rate_interval": 60.0,
        "fail_processing_rate": 0.5,
        "fail_processing": ["bad-*"],
        "seed": 9,
        "bandwidth": 50.0,
    }


def test_a_manual_clock_moves_only_when_advanced_over_http(tmp_path: Path) -> None:
    process = _start("--clock", "manual", "--sync-seconds", "30", "--api-key", "k")
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        with (
            http_client(base_url=url, headers={"X-Api-Key": "k"}) as api,
            http_client() as plain,
        ):
            before = api.get("/_sandbox/clock/").json()
            assert before["manual"] is True
            package = publish(api, plain, "raw", "notes.txt", b"notes\n")
            status_url = f"/packages/{REPO}/{package['slug']}/status/"
            assert api.get(status_url).json()["status_str"] == "Awaiting Synchronisation"
            for bad in ({"advance": -1}, {"advance": "soon"}, {"forward": 1}, {}):
                refused = api.post("/_sandbox/clock/", json=bad)
                assert refused.status_code == 400, bad
                assert refused.json()["detail"]
            moved = api.post("/_sandbox/clock/", json={"advance": 30})
            assert moved.status_code == 200, moved.text
            assert moved.json() == {"now": before["now"] + 30, "manual": True}
            # Answered once processing caught up: no waiting for the package.
            assert api.get(status_url).json()["is_sync_completed"] is True
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    assert process.returncode == 0


def test_the_real_clock_cannot_be_advanced(tmp_path: Path) -> None:
    process = _start()
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert http_get(f"{url}/_sandbox/clock/").json()["manual"] is False
        refused = http_post(f"{url}/_sandbox/clock/", json={"advance": 5})
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    assert refused.status_code == 400
    assert "--clock manual" in refused.json()["detail"]


@pytest.mark.parametrize("command", [PUBSMITH_SANDBOX, STANDALONE], ids=["pubsmith", "standalone"])
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--repo", "no-slash"], "is not OWNER/REPO"),
        (["--error-rate", "3"], "error_rate must be a number from 0 to 1"),
    ],
)
def test_bad_settings_are_one_line_errors(
    command: list[str], args: list[str], message: str
) -> None:
    env = {**os.environ, "PUBSMITH_SANDBOX_API_KEY": ""}
    result = subprocess.run([*command, *args], capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


@pytest.mark.slow
def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    first = _start("--port", "0")
    try:
        assert first.stdout is not None
        port = first.stdout.readline().strip().rsplit(":", 1)[1]
        result = pubsmith("sandbox", "--port", port, timeout=30)
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=20)
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


_UNINSTALLED = """
import sys


class Uninstalled:
    # Finds pubsmith_sandbox nowhere, as on a machine where only pubsmith is installed.
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "pubsmith_sandbox":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


sys.meta_path.insert(0, Uninstalled())
from pubsmith.cli import main

main(["sandbox", "--port", "0"])
"""


def test_without_the_sandbox_installed_the_command_says_what_to_install() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _UNINSTALLED], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: `pubsmith sandbox` needs pubsmith-sandbox, which is not installed; "
        "install it with: pip install 'pubsmith[sandbox]'"
    ]
    assert result.stdout == ""
