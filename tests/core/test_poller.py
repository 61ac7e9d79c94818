"""One Poller follows every package being processed: it learns how long processing takes,
so a run of similar packages needs about one status request each."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pubsmith.client import CloudsmithClient
from pubsmith.errors import ProcessingError
from pubsmith.polling import Poller, SyncTimeoutError
from pubsmith.retry import PollBackoff, RetryPolicy
from tests.support.clocks import FakeClock


class Processing:
    """A fake API whose packages finish ``took`` seconds (on the fake clock) after following
    begins, and records when each status was asked for."""

    def __init__(self, clock: FakeClock, took: float) -> None:
        self.clock = clock
        self.took = took
        self.started: dict[str, float] = {}
        self.failing: set[str] = set()
        self.reason = "the artifact is corrupt"
        self.asked: list[tuple[str, float]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        slug = request.url.path.split("/")[4]
        now = self.clock.now
        self.asked.append((slug, now))
        done = now - self.started[slug] >= self.took
        failed = done and slug in self.failing
        return httpx.Response(
            200,
            json={
                "is_sync_completed": done and not failed,
                "is_sync_failed": failed,
                "status_reason": self.reason if failed else None,
                "status_str": "Completed" if done else "Synchronising",
            },
        )

    def polls(self, slug: str) -> int:
        return sum(1 for asked, _ in self.asked if asked == slug)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1000.0)


@pytest.fixture
def server(clock: FakeClock) -> Processing:
    return Processing(clock, took=1.0)


@pytest.fixture
def poller(clock: FakeClock, server: Processing) -> Iterator[Poller]:
    def wait(wake: threading.Event, timeout: float | None) -> None:
        # Time passes only when the poller has nothing to do until then.
        if timeout is None:
            wake.wait()
        else:
            clock.sleep(timeout)

    backoff = PollBackoff(first=0.5, factor=1.5, cap=5.0, clock=clock, sleep=clock.sleep)
    with httpx.Client(transport=httpx.MockTransport(server.handler)) as http:
        client = CloudsmithClient(
            "https://api.example.test", "key", http=http, policy=RetryPolicy(sleep=clock.sleep)
        )
        with Poller(client, backoff=backoff, workers=1, wait=wait) as running:
            yield running


def follow(poller: Poller, server: Processing, slug: str, **options: Any) -> dict[str, Any]:
    server.started[slug] = server.clock.now
    options.setdefault("timeout", 60.0)
    return poller.follow("acme", "repo", slug, **options).result(timeout=30)


def test_the_first_package_is_polled_with_backoff_the_next_when_the_first_was_done(
    poller: Poller, server: Processing
) -> None:
    assert follow(poller, server, "first")["is_sync_completed"]
    # 0.5 s, then 0.75 s later: done at 1.25 s, the quickest seen so far.
    assert server.polls("first") == 2
    for slug in ("second", "third", "fourth"):
        assert follow(poller, server, slug)["is_sync_completed"]
        assert server.polls(slug) == 1


def test_a_status_already_final_needs_no_request(poller: Poller, server: Processing) -> None:
    done = {"is_sync_completed": True, "status_str": "Completed"}
    assert follow(poller, server, "made", initial=done) is done
    assert server.asked == []


def test_each_status_seen_is_passed_on(poller: Poller, server: Processing) -> None:
    seen: list[str] = []
    follow(poller, server, "watched", on_status=lambda status: seen.append(status["status_str"]))
    assert seen == ["Synchronising", "Completed"]


def test_a_failed_package_fails_its_future_with_the_servers_reason(
    poller: Poller, server: Processing
) -> None:
    server.failing.add("broken")
    with pytest.raises(ProcessingError, match="the artifact is corrupt"):
        follow(poller, server, "broken")


def test_the_servers_reason_is_one_bounded_printable_line(
    poller: Poller, server: Processing
) -> None:
    # As for `pubsmith status`: the reason reaches a terminal and the JSON results.
    server.failing.add("hostile")
    server.reason = "bad\n\x1b[2Jwheel " + "x" * 5000
    with pytest.raises(ProcessingError) as caught:
        follow(poller, server, "hostile")
    reason = caught.value.reason
    assert reason.startswith("bad \\x1b[2Jwheel xxx")
    assert "\n" not in reason and "\x1b" not in reason
    assert len(reason) <= 1000


def test_a_package_still_processing_at_its_deadline_times_out(
    poller: Poller, server: Processing
) -> None:
    server.took = 100.0
    with pytest.raises(SyncTimeoutError, match="still processing"):
        follow(poller, server, "slow", timeout=3.0)
    # Polled at 0.5, 1.25 and 2.375 s, and once more at the deadline itself.
    assert [round(when - server.started["slow"], 3) for _, when in server.asked] == [
        0.5,
        1.25,
        2.375,
        3.0,
    ]


def test_closing_fails_what_is_still_followed(clock: FakeClock, server: Processing) -> None:
    server.took = 100.0

    def never(wake: threading.Event, timeout: float | None) -> None:
        wake.wait()  # time stands still: nothing falls due

    with httpx.Client(transport=httpx.MockTransport(server.handler)) as http:
        client = CloudsmithClient("https://api.example.test", "key", http=http)
        poller = Poller(client, backoff=PollBackoff(clock=clock), wait=never)
        server.started["left"] = clock.now
        future = poller.follow("acme", "repo", "left", timeout=60)
        poller.close()
    with pytest.raises(Exception, match="stopped waiting for package left"):
        future.result(timeout=5)
