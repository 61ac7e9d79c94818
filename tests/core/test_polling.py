from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pubsmith.client import CloudsmithClient
from pubsmith.errors import ProcessingError
from pubsmith.polling import SyncTimeoutError, wait_for_sync
from pubsmith.retry import PollBackoff, RetryPolicy
from tests.support.clocks import FakeClock

IN_FLIGHT = {"is_sync_completed": False, "is_sync_failed": False, "stage_str": "Sync In Progress"}
DONE = {"is_sync_completed": True, "is_sync_failed": False, "status_str": "Completed"}
FAILED = {
    "is_sync_completed": False,
    "is_sync_failed": True,
    "status_reason": "Invalid wheel: METADATA is missing",
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def statuses() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def client(statuses: list[dict[str, Any]]) -> Iterator[CloudsmithClient]:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        assert request.url.path == "/packages/acme/widgets/Ab12/status/"
        return httpx.Response(200, json=statuses.pop(0) if len(statuses) > 1 else statuses[0])

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        yield CloudsmithClient(
            "https://api.example.test", "key", http=http, policy=RetryPolicy(sleep=lambda _: None)
        )


def backoff(clock: FakeClock) -> PollBackoff:
    return PollBackoff(first=0.2, factor=1.5, cap=1.0, clock=clock, sleep=clock.sleep)


def test_returns_the_completed_status(
    client: CloudsmithClient, clock: FakeClock, statuses: list[dict[str, Any]]
) -> None:
    statuses.extend([IN_FLIGHT] * 4 + [DONE])
    seen: list[dict[str, Any]] = []
    result = wait_for_sync(
        client, "acme", "widgets", "Ab12", timeout=60, backoff=backoff(clock), on_status=seen.append
    )
    assert result == DONE
    assert len(seen) == 5
    assert clock.sleeps == pytest.approx([0.2, 0.3, 0.45, 0.675])


def test_failed_processing_raises_with_the_reason(
    client: CloudsmithClient, clock: FakeClock, statuses: list[dict[str, Any]]
) -> None:
    statuses.extend([IN_FLIGHT, FAILED])
    with pytest.raises(ProcessingError) as caught:
        wait_for_sync(client, "acme", "widgets", "Ab12", timeout=60, backoff=backoff(clock))
    assert caught.value.reason == "Invalid wheel: METADATA is missing"
    assert str(caught.value) == (
        "processing failed for package Ab12: Invalid wheel: METADATA is missing"
    )


def test_failure_without_a_reason_says_so(
    client: CloudsmithClient, clock: FakeClock, statuses: list[dict[str, Any]]
) -> None:
    statuses.append({"is_sync_failed": True, "status_reason": None})
    with pytest.raises(ProcessingError, match="no reason given"):
        wait_for_sync(client, "acme", "widgets", "Ab12", timeout=60, backoff=backoff(clock))


def test_deadline_gives_a_clear_error(
    client: CloudsmithClient, clock: FakeClock, statuses: list[dict[str, Any]]
) -> None:
    statuses.append(IN_FLIGHT)
    with pytest.raises(SyncTimeoutError) as caught:
        wait_for_sync(client, "acme", "widgets", "Ab12", timeout=10, backoff=backoff(clock))
    assert clock.now == 10.0
    assert str(caught.value) == (
        "package Ab12 is still processing (Sync In Progress) after 10 s; "
        "raise --wait-timeout or use --no-wait"
    )
    assert max(clock.sleeps) == 1.0
