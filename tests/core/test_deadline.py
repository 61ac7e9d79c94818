"""The deadline of one attempt: the whole of it, sized for what it sends."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pubsmith._deadline import Deadline
from pubsmith.client import CloudsmithClient
from pubsmith.errors import TransportError
from pubsmith.retry import MIN_SEND_RATE, RetryPolicy
from tests.support.clocks import Ticking

MiB = 1024 * 1024


def test_a_body_adds_its_time_at_the_minimum_rate_and_the_answer_gets_the_timeout() -> None:
    now = [0.0]
    deadline = Deadline(lambda: now[0], 120, sending=100 * MiB, rate=MIN_SEND_RATE)
    assert deadline.allowed == "6520"  # 120 s, plus 100 MiB at 16 KiB/s
    now[0] = 6000.0
    deadline.sent()
    assert deadline.remaining() == 120


def test_a_request_without_a_body_has_the_timeout_from_its_start() -> None:
    now = [10.0]
    deadline = Deadline(lambda: now[0], 0.5, rate=MIN_SEND_RATE)
    assert deadline.allowed == "0.5"
    now[0] = 10.5
    with pytest.raises(httpx.ReadTimeout, match="no complete answer within 0.5 s"):
        deadline.check()


@pytest.mark.parametrize(("rate", "ends"), [(1e12, True), (1024.0, False)])
def test_an_upload_is_held_to_a_deadline_sized_for_its_body(
    tmp_path: Path, rate: float, ends: bool
) -> None:
    # Three 1 MiB chunks on a clock that moves a second per look: past a 2 s deadline
    # when the body counts for nothing, well within it at 1 KiB/s.
    path = tmp_path / "big.bin"
    path.write_bytes(b"b" * 3 * MiB)
    received: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        received.append(request.read())
        return httpx.Response(200)

    policy = RetryPolicy(max_attempts=1, request_timeout=2, min_send_rate=rate, clock=Ticking())
    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        CloudsmithClient("https://api.example.test", "k", http=http, policy=policy) as client,
    ):
        if ends:
            with pytest.raises(TransportError, match=r"did not finish within the 2 s deadline"):
                client.upload_put("https://uploads.example.test/put", {}, path)
            assert received == []
        else:
            client.upload_put("https://uploads.example.test/put", {}, path)
            assert received == [path.read_bytes()]


def test_a_policy_and_a_request_timeout_are_not_both_given() -> None:
    with pytest.raises(ValueError, match="request_timeout"):
        CloudsmithClient("https://api.example.test", "k", policy=RetryPolicy(), request_timeout=5)
