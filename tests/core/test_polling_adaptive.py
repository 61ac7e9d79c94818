"""Status polling that uses what it already knows: the create answer and the progress trend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pubsmith.client import CloudsmithClient
from pubsmith.polling import SyncTimeoutError, wait_for_sync
from pubsmith.retry import PollBackoff, RetryPolicy
from tests.support.clocks import FakeClock


def in_flight(progress: int | None = None) -> dict[str, Any]:
    return {
        "is_sync_completed": False,
        "is_sync_failed": False,
        "sync_progress": progress,
        "stage_str": "Sync In Progress",
    }


DONE = {"is_sync_completed": True, "is_sync_failed": False, "sync_progress": 100}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def answers() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def asked(clock: FakeClock) -> list[float]:
    return []


@pytest.fixture
def client(
    answers: list[dict[str, Any]], asked: list[float], clock: FakeClock
) -> Iterator[CloudsmithClient]:
    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(clock.now)
        return httpx.Response(200, json=answers.pop(0) if len(answers) > 1 else answers[0])

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        yield CloudsmithClient(
            "https://api.example.test", "key", http=http, policy=RetryPolicy(sleep=lambda _: None)
        )


def backoff(clock: FakeClock) -> PollBackoff:
    return PollBackoff(first=0.5, factor=1.5, cap=5.0, clock=clock, sleep=clock.sleep)


def test_a_status_in_hand_replaces_the_immediate_first_poll(
    client: CloudsmithClient, clock: FakeClock, answers: list[dict[str, Any]], asked: list[float]
) -> None:
    answers.extend([in_flight(), DONE])
    seen: list[dict[str, Any]] = []
    result = wait_for_sync(
        client,
        "acme",
        "widgets",
        "Ab12",
        timeout=60,
        backoff=backoff(clock),
        initial=in_flight(0),
        on_status=seen.append,
    )
    assert result == DONE
    assert asked == [0.5, 1.25]
    assert seen == [in_flight(0), in_flight(), DONE]


def test_a_package_already_synchronised_is_not_polled(
    client: CloudsmithClient, clock: FakeClock, asked: list[float]
) -> None:
    assert (
        wait_for_sync(
            client, "acme", "widgets", "Ab12", timeout=60, backoff=backoff(clock), initial=DONE
        )
        == DONE
    )
    assert asked == []


def test_rising_progress_times_the_next_poll_for_the_expected_end(
    client: CloudsmithClient, clock: FakeClock, answers: list[dict[str, Any]], asked: list[float]
) -> None:
    # 20% at 0.5 s and 60% at 1.25 s: 40% more takes 0.75 s, polled 10% late.
    answers.extend([in_flight(20), in_flight(60), DONE])
    wait_for_sync(
        client, "acme", "widgets", "Ab12", timeout=60, backoff=backoff(clock), initial=in_flight(0)
    )
    assert asked == pytest.approx([0.5, 1.25, 2.075])


def test_a_slow_trend_waits_no_longer_than_the_cap(
    client: CloudsmithClient, clock: FakeClock, answers: list[dict[str, Any]], asked: list[float]
) -> None:
    answers.extend([in_flight(1), in_flight(2), DONE])
    wait_for_sync(
        client, "acme", "widgets", "Ab12", timeout=60, backoff=backoff(clock), initial=in_flight(0)
    )
    assert clock.sleeps == pytest.approx([0.5, 0.75, 5.0])


def test_progress_that_does_not_rise_falls_back_to_the_backoff(
    client: CloudsmithClient, clock: FakeClock, answers: list[dict[str, Any]]
) -> None:
    answers.extend([in_flight(99), in_flight(99), in_flight(99), DONE])
    wait_for_sync(
        client, "acme", "widgets", "Ab12", timeout=60, backoff=backoff(clock), initial=in_flight(0)
    )
    assert clock.sleeps == pytest.approx([0.5, 0.75, 1.125, 1.6875])


def test_the_deadline_still_ends_an_adaptive_wait(
    client: CloudsmithClient, clock: FakeClock, answers: list[dict[str, Any]]
) -> None:
    answers.extend([in_flight(1), in_flight(2)])
    with pytest.raises(SyncTimeoutError, match="after 8 s"):
        wait_for_sync(
            client,
            "acme",
            "widgets",
            "Ab12",
            timeout=8,
            backoff=backoff(clock),
            initial=in_flight(0),
        )
    assert clock.now == pytest.approx(8.0)


def test_poll_backoff_takes_a_sent_wait_within_the_deadline(clock: FakeClock) -> None:
    polls = PollBackoff(first=1.0, factor=2.0, cap=10.0, clock=clock, sleep=clock.sleep).polls(5)
    assert next(polls) == 0
    assert polls.send(0.25) == 1
    assert polls.send(None) == 2  # the backoff's own interval, which grew meanwhile
    assert polls.send(30.0) == 3  # cut short at the deadline
    assert clock.sleeps == [0.25, 2.0, 2.75]
    with pytest.raises(StopIteration):
        polls.send(None)
