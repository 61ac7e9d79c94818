"""Fault injection: each kind, seeded repeatability, rate limiting, and the control endpoints."""

from __future__ import annotations

import time

import httpx
import pytest

from pubsmith_sandbox import Faults
from pubsmith_sandbox.pytest_plugin import SandboxFactory, SandboxFixture
from tests.support.http_clients import http_client
from tests.support.sandbox_api import (
    OPEN_SANDBOX,
    REPO,
    publish,
    request_upload,
    send,
    wait_settled,
)

DATA = b"payload\n"

pytestmark = OPEN_SANDBOX


def _client(sandbox: SandboxFixture) -> httpx.Client:
    return http_client(base_url=sandbox.url, headers={"X-Api-Key": "k"}, timeout=10)


def test_error_rate_answers_5xx_before_doing_the_work(
    cloudsmith_sandbox_factory: SandboxFactory,
) -> None:
    sandbox = cloudsmith_sandbox_factory(faults=Faults(error_rate=1.0, seed=7))
    with _client(sandbox) as api:
        answers = [api.post(f"/files/{REPO}/", json={"filename": "a"}) for _ in range(12)]
    assert {answer.status_code for answer in answers} <= {500, 502, 503}
    assert len({answer.status_code for answer in answers}) > 1
    assert "sandbox fault" in answers[0].json()["detail"]
    assert "x-ratelimit-limit" in answers[0].headers
    state = sandbox.state()
    assert state["uploads"]["open"] == 0, "an injected error does no work"
    assert state["faults"]["error"] == 12
    assert state["requests"]["files_create"] == 12


def test_the_same_seed_repeats_the_same_faults(cloudsmith_sandbox_factory: SandboxFactory) -> None:
    def run() -> list[int]:
        sandbox = cloudsmith_sandbox_factory(faults=Faults(error_rate=0.5, seed=42))
        with _client(sandbox) as api:
            return [api.get("/user/self/").status_code for _ in range(20)]

    first, second = run(), run()
    assert first == second
    assert 200 in first and any(code >= 500 for code in first)


def test_reset_before_drops_the_connection_without_doing_the_work(
    cloudsmith_sandbox_factory: SandboxFactory,
) -> None:
    sandbox = cloudsmith_sandbox_factory(faults=Faults(reset_before_rate=1.0))
    with _client(sandbox) as api, pytest.raises(httpx.TransportError):
        api.post(f"/files/{REPO}/", json={"filename": "a"})
    state = sandbox.state()
    assert state["uploads"]["open"] == 0
    assert state["faults"]["reset_before"] == 1


def test_reset_after_does_the_work_then_drops_the_answer(
    cloudsmith_sandbox_factory: SandboxFactory,
) -> None:
    sandbox = cloudsmith_sandbox_factory(faults=Faults(reset_after_rate=1.0))
    with _client(sandbox) as api:
        for _ in range(2):  # a client retrying blindly makes a second upload
            with pytest.raises(httpx.TransportError):
                api.post(f"/files/{REPO}/", json={"filename": "a"})
    state = sandbox.state()
    assert state["uploads"]["open"] == 2
    assert state["faults"]["reset_after"] == 2


def test_reset_after_on_an_upload_endpoint_still_stores_the_file(
    cloudsmith_sandbox_factory: SandboxFactory, plain: httpx.Client
) -> None:
    sandbox = cloudsmith_sandbox_factory()
    with _client(sandbox) as api:
        info = request_upload(api, "a.bin", DATA, method="put")
        sandbox.configure(reset_after_rate=1.0)
        with pytest.raises(httpx.TransportError):
            send(plain, info, "a.bin", DATA)
        sandbox.configure(reset_after_rate=0.0)
        assert sandbox.state()["uploads"]["completed"] == 1


def test_latency_is_added_to_every_request(cloudsmith_sandbox_factory: SandboxFactory) -> None:
    sandbox = cloudsmith_sandbox_factory(faults=Faults(latency_ms=150))
    with _client(sandbox) as api:
        started = time.monotonic()
        assert api.get("/user/self/").status_code == 200
        assert time.monotonic() - started >= 0.15  # never less: the latency is a real wait
        assert api.get("/_sandbox/state").status_code == 200
    assert sandbox.state()["faults"]["latency"] == 1, "control endpoints are never faulted"


def test_a_spent_budget_answers_429_with_retry_after_then_recovers(
    cloudsmith_sandbox_factory: SandboxFactory,
) -> None:
    sandbox = cloudsmith_sandbox_factory(
        faults=Faults(rate_limit=3, rate_interval=60), clock="manual"
    )
    with _client(sandbox) as api:
        answers = [api.get("/user/self/") for _ in range(4)]
        assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
        assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == [
            "2",
            "1",
            "0",
            "0",
        ]
        throttled = answers[-1]
        assert throttled.headers["Retry-After"] == "60"  # the window, on a clock standing still
        assert throttled.json()["detail"].startswith("Request was throttled.")
        assert api.get("/_sandbox/state").status_code == 200
        sandbox.clock.advance(59)
        almost = api.get("/user/self/")
        assert (almost.status_code, almost.headers["Retry-After"]) == (429, "1")
        sandbox.clock.advance(float(almost.headers["Retry-After"]))
        assert api.get("/user/self/").status_code == 200
    assert sandbox.state()["faults"]["rate_limited"] == 2


def test_fail_processing_by_glob_and_by_rate(
    cloudsmith_sandbox_factory: SandboxFactory, plain: httpx.Client
) -> None:
    sandbox = cloudsmith_sandbox_factory(faults=Faults(fail_processing=("doomed-*",)))
    with _client(sandbox) as api:
        doomed = publish(api, plain, "raw", "doomed-1.txt", DATA)
        fine = publish(api, plain, "raw", "fine.txt", DATA)
        assert "doomed-*" in wait_settled(api, doomed["slug"])["status_reason"]
        assert wait_settled(api, fine["slug"])["is_sync_completed"]
        sandbox.configure(fail_processing=[], fail_processing_rate=1.0)
        unlucky = publish(api, plain, "raw", "fine2.txt", DATA)
        assert wait_settled(api, unlucky["slug"])["is_sync_failed"]
    assert sandbox.state()["faults"]["fail_processing"] == 2


def test_faults_are_switched_over_http_and_bad_settings_refused(
    cloudsmith_sandbox_factory: SandboxFactory,
) -> None:
    sandbox = cloudsmith_sandbox_factory()
    with _client(sandbox) as api:
        changed = api.post("/_sandbox/config", json={"error_rate": 1, "seed": 3})
        assert changed.status_code == 200
        assert changed.json()["error_rate"] == 1
        assert api.get("/user/self/").status_code >= 500
        assert api.get("/_sandbox/config").json()["error_rate"] == 1
        for bad in (
            {"error_rate": 2},
            {"colour": "red"},
            {"latency_ms": -1},
            {"rate_limit": 0},
            {"sync_seconds": "slow"},
        ):
            refused = api.post("/_sandbox/config", json=bad)
            assert refused.status_code == 400, bad
            assert refused.json()["detail"]
        api.post("/_sandbox/config", json={"error_rate": 0})
        assert api.get("/user/self/").status_code == 200


def test_sync_seconds_changes_for_new_packages(
    cloudsmith_sandbox_factory: SandboxFactory, plain: httpx.Client
) -> None:
    sandbox = cloudsmith_sandbox_factory(sync_seconds=60, clock="manual")
    sandbox.configure(sync_seconds=0)
    with _client(sandbox) as api:
        package = publish(api, plain, "raw", "quick.txt", DATA)
        sandbox.clock.advance(0)  # no time passes: what is due now is processed
        status = api.get(f"/packages/{REPO}/{package['slug']}/status/").json()
        assert status["is_sync_completed"]


def test_faults_reach_upload_endpoints_too(
    cloudsmith_sandbox_factory: SandboxFactory, plain: httpx.Client
) -> None:
    sandbox = cloudsmith_sandbox_factory()
    with _client(sandbox) as api:
        info = request_upload(api, "a.bin", DATA)
        sandbox.configure(error_rate=1.0)
        assert send(plain, info, "a.bin", DATA).status_code >= 500
        sandbox.configure(error_rate=0.0)
        assert send(plain, info, "a.bin", DATA).status_code == 204
