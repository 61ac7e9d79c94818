from __future__ import annotations

import threading
from email.utils import formatdate

import httpx
import pytest

from pubsmith.retry import PollBackoff, RateLimiter, RetryPolicy, parse_retry_after
from tests.support.clocks import FakeClock

NOW = 1_700_000_000.0


def policy(clock: FakeClock, **options: float) -> RetryPolicy:
    return RetryPolicy(
        clock=clock, wall_clock=lambda: NOW, sleep=clock.sleep, random=lambda: 1.0, **options
    )  # type: ignore[arg-type]


# -- Retry-After and backoff ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        (formatdate(NOW + 30, usegmt=True), 30.0),
        (formatdate(NOW - 30, usegmt=True), 0.0),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_retry_after_is_capped() -> None:
    retry = policy(FakeClock(), max_delay=10.0)
    assert retry.retry_after(httpx.Headers({"Retry-After": "3600"})) == 10.0
    assert retry.retry_after(httpx.Headers({})) is None


def test_backoff_is_exponential_capped_and_fully_jittered() -> None:
    clock = FakeClock()
    retry = policy(clock, base_delay=0.5, max_delay=3.0)
    assert [retry.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    retry.random = lambda: 0.25
    assert retry.backoff(3) == 0.5


def test_attempts_stop_at_max_attempts() -> None:
    clock = FakeClock()
    attempts = policy(clock, max_attempts=3, base_delay=1.0).attempts()
    assert attempts.wait() == 1.0
    assert attempts.wait() == 2.0
    assert attempts.wait() is None
    assert clock.sleeps == [1.0, 2.0]
    assert attempts.number == 3


def test_attempts_stop_before_a_wait_that_would_pass_the_deadline() -> None:
    clock = FakeClock()
    attempts = policy(clock, max_attempts=10, deadline=5.0, base_delay=1.0).attempts()
    assert attempts.wait(retry_after=4.0) == 4.0
    assert attempts.wait(retry_after=2.0) is None
    assert clock.sleeps == [4.0]


@pytest.mark.parametrize(
    ("status", "headers", "idempotent", "expected"),
    [
        (503, {}, True, True),
        (500, {}, True, True),
        (429, {}, True, True),
        (404, {}, True, False),
        (501, {}, True, False),
        (429, {}, False, True),
        (503, {"Retry-After": "1"}, False, True),
        (503, {}, False, False),
        (500, {"Retry-After": "1"}, False, False),
        (502, {}, False, False),
    ],
)
def test_status_decisions(
    status: int, headers: dict[str, str], idempotent: bool, expected: bool
) -> None:
    retry = policy(FakeClock())
    assert (
        retry.should_retry_status(status, httpx.Headers(headers), idempotent=idempotent) is expected
    )


@pytest.mark.parametrize(
    ("error", "idempotent", "expected"),
    [
        (httpx.ConnectError("refused"), False, True),
        (httpx.ConnectTimeout("slow"), False, True),
        (httpx.PoolTimeout("busy"), False, True),
        (httpx.ReadTimeout("slow"), False, False),
        (httpx.RemoteProtocolError("reset"), False, False),
        (httpx.ReadTimeout("slow"), True, True),
        (httpx.WriteError("broken pipe"), True, True),
        (ValueError("not transport"), True, False),
    ],
)
def test_error_decisions(error: Exception, idempotent: bool, expected: bool) -> None:
    assert policy(FakeClock()).should_retry_error(error, idempotent=idempotent) is expected


# -- Rate limiter --------------------------------------------------------------------


def budget(remaining: int, *, limit: int = 100, reset: float = NOW + 50) -> httpx.Headers:
    return httpx.Headers(
        {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(reset)),
            "X-RateLimit-Interval": "6.0",
        }
    )


def limiter(clock: FakeClock) -> RateLimiter:
    return RateLimiter(clock=clock, sleep=clock.sleep)


def test_limiter_never_waits_with_plenty_of_budget() -> None:
    clock = FakeClock(NOW)
    pace = limiter(clock)
    assert pace.acquire() == 0.0
    pace.observe(budget(50))
    for _ in range(30):
        pace.acquire()
    assert clock.sleeps == []


def test_limiter_spreads_the_last_calls_until_the_reset() -> None:
    clock = FakeClock(NOW)
    pace = limiter(clock)
    pace.observe(budget(5, reset=NOW + 50))
    # 50 s left for 5 calls: one every 10 s, the first at once.
    assert [pace.reserve() for _ in range(5)] == pytest.approx([0.0, 10.0, 20.0, 30.0, 40.0])


def test_limiter_waits_for_the_reset_when_nothing_is_left() -> None:
    clock = FakeClock(NOW)
    pace = limiter(clock)
    pace.observe(budget(0, reset=NOW + 20))
    assert pace.acquire() == 20.0
    # After the reset the old budget no longer applies.
    assert pace.acquire() == 0.0


def test_limiter_caps_a_wait() -> None:
    clock = FakeClock(NOW)
    pace = RateLimiter(clock=clock, sleep=clock.sleep, max_wait=5.0)
    pace.observe(budget(0, reset=NOW + 3600))
    assert pace.acquire() == 5.0


def test_limiter_accepts_a_relative_reset_and_ignores_missing_headers() -> None:
    clock = FakeClock(NOW)
    pace = limiter(clock)
    pace.observe(httpx.Headers({"X-RateLimit-Limit": "10"}))
    assert pace.reserve() == 0.0
    pace.observe(
        httpx.Headers(
            {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "12"}
        )
    )
    assert pace.reserve() == 12.0


def test_limiter_keeps_the_lowest_count_of_out_of_order_answers() -> None:
    clock = FakeClock(NOW)
    pace = limiter(clock)
    pace.observe(budget(3))
    pace.observe(budget(80))  # an older answer arriving late
    assert pace.reserve() == 0.0  # the first of the last three goes at once
    assert pace.reserve() > 0.0


def test_limiter_gives_each_thread_its_own_slot() -> None:
    clock = FakeClock(NOW)
    pace = limiter(clock)
    pace.observe(budget(8, reset=NOW + 40))
    delays: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        delay = pace.reserve()
        with lock:
            delays.append(delay)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(delays)) == 8
    assert min(delays) == 0.0


# -- Poll backoff --------------------------------------------------------------------


def test_poll_intervals_grow_to_the_cap() -> None:
    clock = FakeClock()
    polls = PollBackoff(first=0.2, factor=1.5, cap=1.0, clock=clock, sleep=clock.sleep)
    iterator = polls.polls(timeout=100)
    for _ in range(7):
        next(iterator)
    assert clock.sleeps == pytest.approx([0.2, 0.3, 0.45, 0.675, 1.0, 1.0])


def test_poll_ends_with_a_poll_at_the_deadline() -> None:
    clock = FakeClock()
    polls = PollBackoff(first=1.0, factor=2.0, cap=10.0, clock=clock, sleep=clock.sleep)
    times = [clock.now for _ in polls.polls(timeout=5.0)]
    assert times == [0.0, 1.0, 3.0, 5.0]
