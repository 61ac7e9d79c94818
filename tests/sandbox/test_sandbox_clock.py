"""The sandbox's clock: the system's by default, or a manual one a test moves on."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from pubsmith_sandbox import Clock, ManualClock, SandboxConfig
from pubsmith_sandbox.clock import clock_named
from pubsmith_sandbox.errors import SandboxConfigError
from pubsmith_sandbox.pytest_plugin import SandboxFactory, SandboxFixture
from tests.support.http_clients import http_client, http_get, http_post
from tests.support.sandbox_api import REPO, publish


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


START = 1_700_000_000.0  # 2023-11-14T22:13:20Z


@pytest.mark.cloudsmith_sandbox(clock=ManualClock(START), sync_seconds=30, api_key="k")
def test_every_timestamp_and_the_processing_time_follow_the_clock(
    sandbox: SandboxFixture, plain: httpx.Client
) -> None:
    with http_client(base_url=sandbox.url, headers={"X-Api-Key": "k"}) as api:
        first = publish(api, plain, "raw", "first.txt", b"1\n")
        sandbox.clock.advance(10)
        second = publish(api, plain, "raw", "second.txt", b"2\n")
        assert first["uploaded_at"] == "2023-11-14T22:13:20.000Z"
        assert second["uploaded_at"] == "2023-11-14T22:13:30.000Z"

        def read(package: dict[str, Any]) -> dict[str, Any]:
            answer: dict[str, Any] = api.get(f"/packages/{REPO}/{package['slug']}/").json()
            return answer

        sandbox.clock.advance(20)  # the first is due; the second has 10 s to go
        assert read(first)["sync_finished_at"] == "2023-11-14T22:13:50.000Z"
        assert read(second)["is_sync_completed"] is False
        sandbox.clock.advance(10)
        assert read(second)["sync_finished_at"] == "2023-11-14T22:14:00.000Z"
    told = http_get(f"{sandbox.url}/_sandbox/clock/").json()
    assert told == {"now": START + 40, "manual": True}


@pytest.mark.cloudsmith_sandbox(clock="manual", oidc_key_seconds=600)
def test_oidc_tokens_and_the_keys_exchanged_for_them_expire_by_the_clock(
    sandbox: SandboxFixture,
) -> None:
    exchange = f"{sandbox.url}/openid/acme/"
    token = sandbox.mint_oidc_token("ci", expires_in=60)
    answer = http_post(exchange, json={"oidc_token": token, "service_slug": "ci"})
    assert answer.status_code == 201
    key = {"X-Api-Key": answer.json()["token"]}
    packages = f"{sandbox.url}/packages/{sandbox.repo_slug}/"

    sandbox.clock.advance(60)
    late = http_post(exchange, json={"oidc_token": token, "service_slug": "ci"})
    assert (late.status_code, late.json()["detail"]) == (401, "OIDC token has expired.")
    assert http_get(packages, headers=key).status_code == 200  # the key lives on
    sandbox.clock.advance(539.5)
    assert http_get(packages, headers=key).status_code == 200
    sandbox.clock.advance(0.5)
    assert http_get(packages, headers=key).status_code == 401


def test_advancing_a_clock_after_its_sandbox_closed_is_harmless(
    cloudsmith_sandbox_factory: SandboxFactory,
) -> None:
    clock = ManualClock()
    first = cloudsmith_sandbox_factory(clock=clock)
    second = cloudsmith_sandbox_factory(clock=clock)  # two sandboxes, one time
    first.close()
    assert clock.advance(5) == second.clock.now()


@pytest.mark.cloudsmith_sandbox(clock=ManualClock(START), api_key="k")
def test_the_uploaded_search_term_and_metadata_follow_the_clock(
    sandbox: SandboxFixture, plain: httpx.Client
) -> None:
    with http_client(base_url=sandbox.url, headers={"X-Api-Key": "k"}) as api:
        package = publish(api, plain, "raw", "notes.txt", b"notes\n")
        sandbox.clock.advance(2 * 86400)

        def found(query: str) -> list[str]:
            answer = api.get(f"/packages/{REPO}/", params={"query": query})
            assert answer.status_code == 200, answer.text
            return [item["filename"] for item in answer.json()]

        # Two days ago by the sandbox's time; by the system's, years ago.
        assert found('uploaded:>"3 days ago"') == ["notes.txt"]
        assert found('uploaded:<"1 day ago"') == ["notes.txt"]
        assert found('uploaded:>"1 day ago"') == []
        sbom = {"bomFormat": "CycloneDX", "specVersion": "1.5"}
        created = api.post(
            f"/v2/metadata/packages/{package['slug_perm']}/",
            json={"content_type": "application/vnd.cyclonedx+json", "content": sbom},
        )
        assert created.status_code == 201, created.text
        assert created.json()["created_at"] == "2023-11-16T22:13:20.000Z"
