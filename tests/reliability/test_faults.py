"""Faults: many packages through a failing, rate-limiting server, each published exactly once.

The sandbox resets connections before and after doing the work, answers 5xx, adds latency
and throttles, at a fixed seed; every run must still end with each package present once,
synchronised, and no upload left open that pubsmith could have known about.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from pubsmith_sandbox import Faults
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import pubsmith
from tests.support.loopback import Seen, forwarding
from tests.support.restamp import Made, make_mixed
from tests.support.sandbox_api import calm, stored_packages

REPO = "acme/reliable"
KEY = "faults-key-5b0e1d7c2a"
# Each request draws each kind at this rate: about one request in five is faulted.
RATE = 0.075
BUDGET = 30  # requests a second
FAULTS = Faults(
    error_rate=RATE,
    reset_before_rate=RATE,
    reset_after_rate=RATE,
    latency_ms=5,
    rate_limit=BUDGET,
    rate_interval=1.0,
    seed=20240605,
)


pytestmark = [
    pytest.mark.e2e,
    pytest.mark.cloudsmith_sandbox(repos=[REPO], api_key=KEY, sync_seconds=0.2, faults=FAULTS),
]


def publish_all(
    sandbox: SandboxFixture, made: list[Made]
) -> tuple[int, dict[str, dict[str, object]], str]:
    completed = pubsmith(
        "publish",
        *(str(item.path) for item in made),
        "--repo",
        REPO,
        "--json",
        "--concurrency",
        "8",
        "--wait-timeout",
        "60",
        env={"CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": KEY},
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    results = {Path(str(r["file"])).name: r for r in json.loads(completed.stdout)}
    return completed.returncode, results, completed.stderr


@pytest.mark.slow
def test_fifty_mixed_packages_publish_exactly_once_through_faults_and_throttling(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    made = make_mixed(tmp_path / "dist", 50)
    assert len({item.format for item in made}) == 9  # python twice: wheels and sdists

    code, results, stderr = publish_all(sandbox, made)

    failed = {name: r["error"] for name, r in results.items() if r["status"] != "published"}
    assert code == 0, (failed, stderr[-2000:])
    state = sandbox.state()
    stored = stored_packages(sandbox)
    identities = Counter((p["format"], p["name"], p["version"], p["filename"]) for p in stored)
    assert identities == Counter((m.format, m.name, m.version, m.path.name) for m in made)
    for package in stored:
        assert package["is_sync_completed"] is True, package["status_reason"]
    checksums = {p["filename"]: p["checksum_sha256"] for p in stored}
    assert checksums == {m.path.name: hashlib.sha256(m.path.read_bytes()).hexdigest() for m in made}
    assert {r["slug_perm"] for r in results.values()} == {p["slug_perm"] for p in stored}

    # Every kind of fault really happened, and the budget ran out many times over.
    faults = state["faults"]
    assert min(faults["error"], faults["reset_before"], faults["reset_after"]) > 5, faults
    assert sum(state["requests"].values()) > 10 * BUDGET
    # Every upload pubsmith learned of was used; the only ones open are those whose
    # files_create answer the sandbox dropped, so pubsmith never got their identifiers.
    uploads = state["uploads"]
    assert uploads["completed"] == 50
    assert uploads["failed"] == uploads["aborted"] == 0
    assert uploads["open"] == state["answers_dropped"].get("files_create", 0)
    assert sum(state["answers_dropped"].values()) > 0


@pytest.mark.slow
def test_a_run_with_packages_failing_processing_reports_exactly_those(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    made = make_mixed(tmp_path / "dist", 20)
    doomed = {made[2].path.name, made[9].path.name, made[15].path.name}
    sandbox.configure(fail_processing=sorted(doomed))

    code, results, stderr = publish_all(sandbox, made)

    assert code == 1, stderr[-2000:]
    failed = {name for name, r in results.items() if r["status"] == "failed"}
    assert failed == doomed
    for name in doomed:
        error = str(results[name]["error"])
        assert f"sandbox fault injected for '{name}'" in error
        assert any(name in line and error in line for line in stderr.splitlines()), stderr
    assert all(r["status"] == "published" for n, r in results.items() if n not in doomed)
    stored = stored_packages(sandbox)
    assert Counter(p["filename"] for p in stored) == Counter(m.path.name for m in made)
    by_state = Counter(p["status_str"] for p in stored)
    assert by_state == {"Completed": 17, "Failed": 3}


def test_lost_answers_to_creates_never_make_a_second_package(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    """Deterministic: the first answers to files_create and to the package create are lost."""
    calm(sandbox)
    lost: list[str] = []

    def drop_first_create(seen: Seen) -> bool:
        create = seen.method == "POST" and (
            seen.path == f"/files/{REPO}/" or seen.path.startswith(f"/packages/{REPO}/upload/")
        )
        key = seen.path.split("/")[1]
        if create and key not in lost:
            lost.append(key)
            return True
        return False

    notes = tmp_path / "notes.txt"
    notes.write_text("published once\n")
    with forwarding(sandbox.url, drop_first_create) as proxy:
        completed = pubsmith(
            "publish",
            str(notes),
            "--repo",
            REPO,
            "--format",
            "raw",
            "-o",
            "version=1",
            env={"CLOUDSMITH_API_HOST": proxy.url, "CLOUDSMITH_API_KEY": KEY},
        )
    assert completed.returncode == 0, completed.stderr
    assert lost == ["files", "packages"]
    requests = sandbox.state()["requests"]
    # The package create reached the sandbox once: its lost answer was looked up, not re-sent.
    assert requests["packages_upload_raw"] == 1
    assert requests["packages_list"] == 1
    assert requests["files_create"] == 2
    # The upload whose answer was lost is the one left open; pubsmith never had its id.
    assert sandbox.state()["uploads"] == {"open": 1, "completed": 1, "aborted": 0, "failed": 0}
    [package] = stored_packages(sandbox)
    assert package["is_sync_completed"] is True
