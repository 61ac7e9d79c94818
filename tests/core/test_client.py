"""CloudsmithClient: exact requests over httpx.MockTransport, plus a real loopback server."""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import http.server
import logging
import os
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import httpx
import pytest

from pubsmith import __version__
from pubsmith.client import CloudsmithClient
from pubsmith.errors import (
    AmbiguousResultError,
    ApiError,
    AuthenticationError,
    ConfigError,
    NotFoundError,
    PubsmithError,
    RateLimitedError,
    ServerError,
    TransportError,
    UploadError,
    ValidationError,
)
from pubsmith.retry import RateLimiter, RetryPolicy
from pubsmith.secret import Secret
from tests.support.clocks import FakeClock

API = "https://api.example.test"
CANARY = "canary-5b2e91-do-not-leak"
SHA = "5" * 64
NOW = 1_700_000_000.0

Answer = Callable[[httpx.Request], httpx.Response]


def answer(
    status: int = 200,
    body: Any = None,
    *,
    text: str | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    def respond(request: httpx.Request) -> httpx.Response:
        if text is not None:
            return httpx.Response(status, text=text, headers=headers)
        if body is None:
            return httpx.Response(status, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return respond


def fail(error: type[httpx.TransportError], message: str = "boom") -> Answer:
    def respond(request: httpx.Request) -> httpx.Response:
        raise error(message, request=request)

    return respond


class Script:
    """Answers requests in order (the last one repeats) and keeps every request."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
            respond = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return respond(request)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def connect(clock: FakeClock) -> Iterator[Callable[..., CloudsmithClient]]:
    opened: list[httpx.Client] = []

    def make(
        handler: Callable[[httpx.Request], httpx.Response] | httpx.BaseTransport,
        *,
        api_url: str = API,
        key: Secret | str | None = CANARY,
        **policy: Any,
    ) -> CloudsmithClient:
        transport = (
            handler if isinstance(handler, httpx.BaseTransport) else httpx.MockTransport(handler)
        )
        http = httpx.Client(transport=transport)
        opened.append(http)
        return CloudsmithClient(
            api_url,
            key,
            http=http,
            policy=RetryPolicy(
                clock=clock, wall_clock=lambda: NOW, sleep=clock.sleep, random=lambda: 1.0, **policy
            ),
            rate_limiter=RateLimiter(clock=lambda: NOW + clock.now, sleep=clock.sleep),
        )

    yield make
    for opened_client in opened:
        opened_client.close()


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "pkg-1.0.tar.gz"
    path.write_bytes(os.urandom(3 * 1024 * 1024 + 11))
    return path


# -- URLs and headers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("api_url", "expected"),
    [
        (API, f"{API}/user/self/"),
        (f"{API}/", f"{API}/user/self/"),
        (f"{API}/v1", f"{API}/v1/user/self/"),
        (f"{API}/v1/", f"{API}/v1/user/self/"),
    ],
)
def test_paths_join_onto_the_api_url(
    connect: Callable[..., CloudsmithClient], api_url: str, expected: str
) -> None:
    script = Script(answer(200, {"authenticated": True}))
    assert connect(script, api_url=api_url).user_self() == {"authenticated": True}
    assert str(script.requests[0].url) == expected


@pytest.mark.parametrize(
    "url",
    ["api.cloudsmith.io", "ftp://host", "https://", "https://u:p@host", "https://host/?key=1"],
)
def test_bad_api_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="API URL"):
        CloudsmithClient(url, CANARY)


def test_api_requests_carry_key_agent_and_json(connect: Callable[..., CloudsmithClient]) -> None:
    script = Script(answer(204))
    connect(script).files_validate(
        "acme", "widgets", filename="a b.whl", md5="m", sha256="s", method="post"
    )
    request = script.requests[0]
    assert request.method == "POST"
    assert str(request.url) == f"{API}/files/acme/widgets/validate/"
    assert request.headers["X-Api-Key"] == CANARY
    assert request.headers["User-Agent"] == f"pubsmith/{__version__}"
    assert request.headers["Accept"] == "application/json"
    assert request.read() == (
        b'{"filename":"a b.whl","md5_checksum":"m","sha256_checksum":"s","method":"post"}'
    )


def test_path_segments_are_quoted(connect: Callable[..., CloudsmithClient]) -> None:
    script = Script(answer(200, {}))
    connect(script).read_package("acme", "widgets", "../../user/self")
    assert script.requests[0].url.raw_path == b"/packages/acme/widgets/..%2F..%2Fuser%2Fself/"


def test_no_key_means_no_header(connect: Callable[..., CloudsmithClient]) -> None:
    script = Script(answer(200, {"authenticated": False}))
    connect(script, key=None).user_self()
    assert "X-Api-Key" not in script.requests[0].headers


def test_presigned_uploads_never_carry_the_key(
    connect: Callable[..., CloudsmithClient], small_file: Path
) -> None:
    script = Script(answer(204))
    client = connect(script)
    # Same host as the API, still presigned: no key, whatever the server asks for.
    client.upload_post(f"{API}/presigned/post?sig=abc", {"key": "k"}, small_file, None)
    client.upload_put(
        f"{API}/presigned/put", {"X-Api-Key": "planted", "x-amz-acl": "private"}, small_file, None
    )
    client.upload_put("https://bucket.s3.example/put?X-Amz-Signature=x", {}, small_file, None)
    assert len(script.requests) == 3
    for request in script.requests:
        assert "X-Api-Key" not in request.headers
    assert script.requests[1].headers["x-amz-acl"] == "private"


def test_parts_endpoint_gets_the_key_and_the_part_query(
    connect: Callable[..., CloudsmithClient], small_file: Path
) -> None:
    script = Script(answer(200))
    connect(script).upload_part(
        "https://upload.example.test/parts/acme/widgets?x=1",
        upload_id="up1",
        part_number=3,
        path=small_file,
        offset=1024,
        length=2048,
        progress=None,
    )
    request = script.requests[0]
    assert request.method == "PUT"
    assert request.url.params["upload_id"] == "up1"
    assert request.url.params["part_number"] == "3"
    assert request.url.params["x"] == "1"
    assert request.headers["X-Api-Key"] == CANARY
    assert request.headers["Content-Length"] == "2048"
    assert request.read() == small_file.read_bytes()[1024:3072]


def test_parts_endpoint_over_plain_http_elsewhere_is_refused(
    connect: Callable[..., CloudsmithClient], small_file: Path
) -> None:
    script = Script(answer(200))
    with pytest.raises(UploadError, match="refusing to send the API key to evil.example"):
        connect(script).upload_part(
            "http://evil.example/parts",
            upload_id="u",
            part_number=1,
            path=small_file,
            offset=0,
            length=10,
        )
    assert script.requests == []


def test_redirect_is_an_error_naming_the_target(connect: Callable[..., CloudsmithClient]) -> None:
    script = Script(answer(302, headers={"Location": "https://elsewhere.example/user/self/"}))
    with pytest.raises(ServerError, match=r"redirected to elsewhere\.example.*--api-url"):
        connect(script).user_self()
    assert len(script.requests) == 1


# -- Error mapping -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (400, ValidationError, "Invalid"),
        (422, ValidationError, "Invalid"),
        (401, AuthenticationError, "CLOUDSMITH_API_KEY / --api-key"),
        (403, AuthenticationError, "CLOUDSMITH_API_KEY / --api-key"),
        (404, NotFoundError, "check --repo OWNER/REPO exists and the key can see it"),
        (409, ApiError, "Invalid"),
    ],
)
def test_error_statuses_map_to_errors(
    connect: Callable[..., CloudsmithClient], status: int, kind: type[ApiError], words: str
) -> None:
    script = Script(
        answer(
            status, {"detail": "Invalid input.", "fields": {"version": ["Not a valid version."]}}
        )
    )
    with pytest.raises(kind) as caught:
        connect(script).create_package("acme", "widgets", "raw", {"package_file": "x"})
    message = str(caught.value)
    assert message.startswith(f"create raw package in acme/widgets failed (HTTP {status}): ")
    assert "): Invalid input [version: Not a valid version.]" in message  # no ".;" or ". ["
    assert words in message
    assert caught.value.status_code == status
    assert caught.value.fields == {"version": ["Not a valid version."]}
    assert len(script.requests) == 1


def test_html_answer_gives_its_title(connect: Callable[..., CloudsmithClient]) -> None:
    page = (
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>p{}</style></head>"
        "<body><h1>Bad\nGateway</h1>" + "<p>x</p>" * 5000 + "</body></html>"
    )
    script = Script(answer(404, text=page, headers={"Content-Type": "text/html"}))
    with pytest.raises(NotFoundError) as caught:
        connect(script).package_status("acme", "widgets", "abc")
    message = str(caught.value)
    assert "HTML page instead of JSON: 502 Bad Gateway" in message
    assert "\n" not in message
    assert len(message) < 400


@pytest.mark.parametrize(
    "body",
    ['{"detail": "unterminated', "x" * 5_000_000, "line1\r\nline2\x1b[31m\x00\u202e" * 100],
)
def test_unreadable_bodies_give_one_clean_line(
    connect: Callable[..., CloudsmithClient], body: str
) -> None:
    script = Script(answer(400, text=body))
    with pytest.raises(ValidationError) as caught:
        connect(script).validate_upload("acme", "widgets", "raw", {})
    message = str(caught.value)
    assert "not JSON" in message
    assert len(message) < 400
    assert message.isprintable()


def test_json_that_is_not_an_object_is_shown(connect: Callable[..., CloudsmithClient]) -> None:
    script = Script(answer(400, ["Package already exists."]))
    with pytest.raises(ValidationError, match=r"\(HTTP 400\): \[\"Package already exists.\"\]$"):
        connect(script).create_package("acme", "widgets", "raw", {})


def test_non_json_success_is_a_server_error(connect: Callable[..., CloudsmithClient]) -> None:
    script = Script(answer(200, text="<html>maintenance</html>"))
    with pytest.raises(ServerError, match="HTML page instead of JSON: maintenance"):
        connect(script).read_package("acme", "widgets", "abc")


def test_connection_failure_names_host_and_fix(
    connect: Callable[..., CloudsmithClient], clock: FakeClock
) -> None:
    script = Script(fail(httpx.ConnectError, "[Errno 111] Connection refused"))
    with pytest.raises(TransportError) as caught:
        connect(script, max_attempts=3).user_self()
    assert not isinstance(caught.value, AmbiguousResultError)
    message = str(caught.value)
    assert "cannot connect to api.example.test" in message
    assert "Connection refused" in message
    assert "after 3 attempts" in message
    assert "--api-url" in message
    assert len(script.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


def test_tls_failure_suggests_a_ca_bundle(connect: Callable[..., CloudsmithClient]) -> None:
    script = Script(fail(httpx.ConnectError, "[SSL: CERTIFICATE_VERIFY_FAILED] self-signed"))
    with pytest.raises(TransportError, match="TLS verification of api.example.test.*--ca-bundle"):
        connect(script, max_attempts=1).user_self()


# -- Retries -------------------------------------------------------------------------


def test_safe_request_is_retried_on_5xx(
    connect: Callable[..., CloudsmithClient], clock: FakeClock
) -> None:
    script = Script(answer(503), answer(502), answer(200, {"is_sync_completed": True}))
    status = connect(script).package_status("acme", "widgets", "abc")
    assert status == {"is_sync_completed": True}
    assert len(script.requests) == 3
    assert clock.sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    ("retry_after", "slept"),
    [("7", 7.0), (formatdate(NOW + 12, usegmt=True), 12.0), ("86400", 30.0)],
)
def test_retry_after_is_honoured_and_capped(
    connect: Callable[..., CloudsmithClient], clock: FakeClock, retry_after: str, slept: float
) -> None:
    script = Script(
        answer(429, {"detail": "slow down"}, headers={"Retry-After": retry_after}), answer(200, {})
    )
    connect(script, deadline=1000.0).read_package("acme", "widgets", "abc")
    assert clock.sleeps == [slept]


def test_rate_limited_after_the_budget(connect: Callable[..., CloudsmithClient]) -> None:
    script = Script(answer(429, {"detail": "Request was throttled."}))
    with pytest.raises(RateLimitedError, match="throttled.*--concurrency"):
        connect(script, max_attempts=4).read_package("acme", "widgets", "abc")
    assert len(script.requests) == 4


def test_safe_request_is_retried_after_a_read_timeout(
    connect: Callable[..., CloudsmithClient],
) -> None:
    script = Script(fail(httpx.ReadTimeout), answer(204))
    connect(script).files_abort("acme", "widgets", "up1")
    assert len(script.requests) == 2
    assert script.requests[1].read() == b'{"upload_id":"up1"}'


def test_create_is_not_repeated_after_a_read_timeout(
    connect: Callable[..., CloudsmithClient],
) -> None:
    script = Script(fail(httpx.ReadTimeout), answer(201, {"slug": "x"}))
    with pytest.raises(AmbiguousResultError) as caught:
        connect(script).create_package("acme", "widgets", "raw", {"package_file": "id"})
    assert caught.value.maybe_processed is True
    assert caught.value.status_code is None
    assert "may have taken effect" in str(caught.value)
    assert "timed out waiting for the answer" in str(caught.value)
    assert len(script.requests) == 1


@pytest.mark.parametrize("error", [httpx.RemoteProtocolError, httpx.WriteError, httpx.ReadError])
def test_files_create_is_not_repeated_after_a_lost_answer(
    connect: Callable[..., CloudsmithClient], error: type[httpx.TransportError]
) -> None:
    script = Script(fail(error), answer(202, {"identifier": "x"}))
    with pytest.raises(AmbiguousResultError):
        connect(script).files_create(
            "acme", "widgets", filename="f", md5="m", sha256="s", method="post"
        )
    assert len(script.requests) == 1


@pytest.mark.parametrize("error", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
def test_create_is_repeated_when_it_never_reached_the_server(
    connect: Callable[..., CloudsmithClient], error: type[httpx.TransportError]
) -> None:
    script = Script(fail(error), answer(201, {"slug": "abc"}))
    assert connect(script).create_package("acme", "widgets", "raw", {}) == {"slug": "abc"}
    assert len(script.requests) == 2


@pytest.mark.parametrize("status", [500, 502, 504, 503])
def test_create_server_error_is_ambiguous(
    connect: Callable[..., CloudsmithClient], status: int
) -> None:
    script = Script(answer(status, {"detail": "oops"}), answer(201, {}))
    with pytest.raises(AmbiguousResultError) as caught:
        connect(script).copy_package("acme", "widgets", "abc", to_repo="other")
    assert caught.value.status_code == status
    assert f"(HTTP {status}): oops" in str(caught.value)
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    "first",
    [
        answer(429, headers={"Retry-After": "1"}),
        answer(429),
        answer(503, headers={"Retry-After": "2"}),
    ],
)
def test_create_is_repeated_when_refused_before_processing(
    connect: Callable[..., CloudsmithClient], first: Answer
) -> None:
    script = Script(first, answer(201, {"slug": "abc"}))
    assert connect(script).create_package("acme", "widgets", "raw", {}) == {"slug": "abc"}
    assert len(script.requests) == 2


def test_delete_retried_after_it_took_effect_succeeds(
    connect: Callable[..., CloudsmithClient],
) -> None:
    script = Script(answer(503), answer(404, {"detail": "Not found."}))
    connect(script).delete_package("acme", "widgets", "abc")
    assert [r.method for r in script.requests] == ["DELETE", "DELETE"]


@pytest.mark.parametrize("first", [[], [answer(429)], [fail(httpx.ConnectError)]])
def test_404_on_delete_is_an_error_unless_an_earlier_try_may_have_worked(
    connect: Callable[..., CloudsmithClient], first: list[Answer]
) -> None:
    with pytest.raises(NotFoundError):
        connect(Script(*first, answer(404, {"detail": "Not found."}))).delete_package("a", "b", "c")


def test_complete_refused_after_a_lost_answer_is_done(
    connect: Callable[..., CloudsmithClient],
) -> None:
    script = Script(fail(httpx.ReadTimeout), answer(400, {"detail": "This upload is completed."}))
    assert (
        connect(script).files_complete("acme", "widgets", "up1", filename="f", sha256=SHA) is None
    )
    assert len(script.requests) == 2


def test_complete_refused_at_once_is_an_error(connect: Callable[..., CloudsmithClient]) -> None:
    script = Script(answer(400, {"detail": "The multipart upload has no parts to complete."}))
    with pytest.raises(ValidationError, match="no parts to complete"):
        connect(script).files_complete("acme", "widgets", "up1", filename="f", sha256=SHA)


def test_low_rate_budget_paces_the_next_call(
    connect: Callable[..., CloudsmithClient], clock: FakeClock
) -> None:
    limits = {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(int(NOW + 9)),
    }
    script = Script(answer(200, {}, headers=limits), answer(200, {}))
    client = connect(script)
    client.read_package("acme", "widgets", "a")
    assert clock.sleeps == []
    client.read_package("acme", "widgets", "b")
    assert clock.sleeps == [9.0]


# -- Endpoints -----------------------------------------------------------------------


def test_pagination_follows_page_total(connect: Callable[..., CloudsmithClient]) -> None:
    def page(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page"])
        items = [{"slug": f"p{number}-{i}"} for i in range(2 if number < 3 else 1)]
        return httpx.Response(200, json=items, headers={"X-Pagination-PageTotal": "3"})

    script = Script(page)
    found = list(connect(script).list_packages("acme", "widgets", query="name:x", page_size=2))
    assert [item["slug"] for item in found] == ["p1-0", "p1-1", "p2-0", "p2-1", "p3-0"]
    assert [dict(r.url.params) for r in script.requests] == [
        {"page": str(n), "page_size": "2", "query": "name:x"} for n in (1, 2, 3)
    ]


def test_pagination_without_headers_stops_at_a_short_page(
    connect: Callable[..., CloudsmithClient],
) -> None:
    script = Script(answer(200, [{"slug": "a"}, {"slug": "b"}]), answer(200, [{"slug": "c"}]))
    found = list(connect(script).list_packages("acme", "widgets", page_size=2))
    assert [item["slug"] for item in found] == ["a", "b", "c"]
    assert "query" not in script.requests[0].url.params


def test_endpoint_requests(connect: Callable[..., CloudsmithClient]) -> None:
    script = Script(answer(200, {"ok": True}))
    client = connect(script)
    client.files_create("o", "r", filename="f", md5="m", sha256="s", method="put_parts")
    client.files_info("o", "r", "up")
    client.files_complete("o", "r", "up", filename="f", sha256=SHA)
    client.create_package("o", "r", "python", {"package_file": "up"})
    client.move_package("o", "r", "slug", to_repo="dest")
    client.copy_package("o", "r", "slug", to_repo="dest", republish=True)
    client.tag_package("o", "r", "slug", action="add", tags=["a", "b"])
    client.resync_package("o", "r", "slug")
    seen = [(r.method, r.url.path, r.read()) for r in script.requests]
    assert seen == [
        (
            "POST",
            "/files/o/r/",
            b'{"filename":"f","md5_checksum":"m","sha256_checksum":"s","method":"put_parts"}',
        ),
        ("GET", "/files/o/r/up/info/", b""),
        (
            "POST",
            "/files/o/r/up/complete/",
            b'{"upload_id":"up","complete":true,"filename":"f",'
            b'"sha256_checksum":"' + SHA.encode() + b'",'
            b'"method":"put_parts"}',
        ),
        ("POST", "/packages/o/r/upload/python/", b'{"package_file":"up"}'),
        ("POST", "/packages/o/r/slug/move/", b'{"destination":"dest"}'),
        ("POST", "/packages/o/r/slug/copy/", b'{"destination":"dest","republish":true}'),
        (
            "POST",
            "/packages/o/r/slug/tag/",
            b'{"action":"Add","tags":["a","b"],"is_immutable":false}',
        ),
        ("POST", "/packages/o/r/slug/resync/", b""),
    ]


def test_unknown_tag_action(connect: Callable[..., CloudsmithClient]) -> None:
    with pytest.raises(ConfigError, match="Add, Clear, Replace, Remove"):
        connect(Script(answer(200, {}))).tag_package("o", "r", "s", action="swap", tags=[])


# -- Upload bodies -------------------------------------------------------------------


def test_multipart_post_has_fields_then_file_and_exact_length(
    connect: Callable[..., CloudsmithClient], small_file: Path
) -> None:
    script = Script(answer(204))
    fields = {"key": "uploads/x", "policy": "cG9s", "x-amz-signature": "sig", "n": 5}
    connect(script).upload_post("https://bucket.example/", fields, small_file, None)
    request = script.requests[0]
    body = request.read()
    assert int(request.headers["Content-Length"]) == len(body)
    assert "Transfer-Encoding" not in request.headers
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    parts = list(form.iter_parts())
    names = [part.get_param("name", header="content-disposition") for part in parts]
    assert names == ["key", "policy", "x-amz-signature", "n", "file"]
    assert parts[3].get_payload(decode=True) == b"5"
    assert parts[-1].get_filename() == small_file.name
    assert parts[-1].get_payload(decode=True) == small_file.read_bytes()


class Draining(httpx.BaseTransport):
    """Reads each body as the network would, chunk by chunk, keeping only a digest."""

    def __init__(self, fail_first: int = 0) -> None:
        self.seen: list[tuple[bool, int, str, int]] = []
        self.fail_first = fail_first

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        digest = hashlib.sha256()
        total = biggest = 0
        for chunk in request.stream:  # type: ignore[union-attr]
            digest.update(chunk)
            total += len(chunk)
            biggest = max(biggest, len(chunk))
            if self.fail_first and total > 2 * 1024 * 1024:
                self.fail_first -= 1
                raise httpx.WriteError("connection reset", request=request)
        self.seen.append(
            (isinstance(request.stream, httpx.ByteStream), total, digest.hexdigest(), biggest)
        )
        return httpx.Response(200)


def test_put_streams_a_large_file_in_small_memory(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    path = tmp_path / "big.bin"
    with path.open("wb") as stream:
        for _ in range(64):
            stream.write(os.urandom(1024 * 1024))
    transport = Draining()
    client = connect(transport)
    tracemalloc.start()
    try:
        client.upload_put("https://bucket.example/big", {}, path, None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    buffered, total, digest, biggest = transport.seen[0]
    assert not buffered
    assert total == 64 * 1024 * 1024
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert biggest == 1024 * 1024
    assert peak < 8 * 1024 * 1024


def test_progress_is_taken_back_on_retry(
    connect: Callable[..., CloudsmithClient], small_file: Path
) -> None:
    transport = Draining(fail_first=1)
    counts: list[int] = []
    connect(transport).upload_post("https://bucket.example/", {"k": "v"}, small_file, counts.append)
    size = small_file.stat().st_size
    assert sum(counts) == size
    negative = [count for count in counts if count < 0]
    assert len(negative) == 1
    assert transport.seen[0][1] > size  # the form wraps the file


# -- Secrets -------------------------------------------------------------------------


def test_key_never_leaks_into_errors_reprs_or_logs(
    connect: Callable[..., CloudsmithClient], caplog: pytest.LogCaptureFixture, small_file: Path
) -> None:
    echo = f'{{"detail": "bad key {CANARY}", "fields": {{"key": ["{CANARY}"]}}}}'
    script = Script(
        answer(401, text=echo),
        answer(500, text=f"<title>{CANARY}</title>"),
        fail(httpx.ConnectError, f"refused for {CANARY}"),
    )
    client = connect(script, key=Secret(CANARY), max_attempts=2)
    texts = [repr(client), str(client)]
    with caplog.at_level(logging.DEBUG, logger="pubsmith"):
        for call in (
            lambda: client.user_self(),
            lambda: client.create_package("acme", "widgets", "raw", {"a": 1}),
            lambda: client.read_package("acme", "widgets", "x"),
            lambda: client.upload_part(
                f"{API}/parts", upload_id="u", part_number=1, path=small_file, offset=0, length=5
            ),
        ):
            with pytest.raises(PubsmithError) as caught:
                call()
            texts += [str(caught.value), repr(caught.value)]
    assert any(record.levelno == logging.DEBUG for record in caplog.records)
    assert "X-Api-Key: ****" in caplog.text
    for text in [*texts, caplog.text]:
        assert CANARY not in text
    assert all(request.headers["X-Api-Key"] == CANARY for request in script.requests)


def test_log_lines_hide_presigned_query_values(
    connect: Callable[..., CloudsmithClient], caplog: pytest.LogCaptureFixture, small_file: Path
) -> None:
    with caplog.at_level(logging.INFO, logger="pubsmith.http"):
        connect(Script(answer(204))).upload_put(
            "https://bucket.example/o?X-Amz-Signature=s3cr3t&part_number=2", {}, small_file, None
        )
    assert "s3cr3t" not in caplog.text
    assert "PUT https://bucket.example/o?X-Amz-Signature=…&part_number=2 -> 204" in caplog.text


# -- Building the httpx client -------------------------------------------------------


def test_lazily_built_client_has_the_safe_defaults() -> None:
    with CloudsmithClient(API, CANARY) as client:
        http = client._client()
        assert http.timeout.connect == 10.0
        assert http.timeout.read == 60.0
        assert http.follow_redirects is False
        assert client._client() is http
    assert http.is_closed


def test_a_given_client_is_left_open(connect: Callable[..., CloudsmithClient]) -> None:
    http = httpx.Client(transport=httpx.MockTransport(answer(204)))
    with CloudsmithClient(API, CANARY, http=http):
        pass
    assert not http.is_closed
    http.close()


def test_missing_ca_bundle_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CA bundle"):
        CloudsmithClient(API, CANARY, verify=str(tmp_path / "absent.pem"))


def test_ca_bundle_is_loaded_for_tls() -> None:
    import ssl

    import certifi

    with CloudsmithClient(API, CANARY, verify=certifi.where()) as client:
        context = client._verify
        assert isinstance(context, ssl.SSLContext)
        assert context.cert_store_stats()["x509_ca"] > 10
        assert context.verify_mode == ssl.CERT_REQUIRED


# -- Real loopback HTTP --------------------------------------------------------------


class _Loopback(http.server.ThreadingHTTPServer):
    def __init__(self, redirect_to: str = "") -> None:
        self.seen: list[tuple[str, str, str | None, int]] = []
        self.redirect_to = redirect_to
        super().__init__(("127.0.0.1", 0), _Handler)
        # A short poll: shutdown() waits for the serving loop to notice (0.5 s by default).
        self.thread = threading.Thread(target=self.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join()


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Loopback

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        received = 0
        while received < length:
            received += len(self.rfile.read(min(65536, length - received)))
        self.server.seen.append((self.command, self.path, self.headers.get("X-Api-Key"), received))
        if self.server.redirect_to:
            self.send_response(307)
            self.send_header("Location", self.server.redirect_to + self.path)
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_PUT = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


def test_real_server_redirect_never_carries_the_key(small_file: Path) -> None:
    thief = _Loopback()
    api = _Loopback(redirect_to=thief.url)
    try:
        with CloudsmithClient(api.url, CANARY) as client:
            with pytest.raises(ServerError, match="redirected to 127.0.0.1"):
                client.user_self()
            client_parts = CloudsmithClient(thief.url, CANARY)
            with client_parts:
                client_parts.upload_part(
                    f"{thief.url}/parts",
                    upload_id="u",
                    part_number=1,
                    path=small_file,
                    offset=0,
                    length=small_file.stat().st_size,
                )
    finally:
        api.stop()
        thief.stop()
    assert api.seen == [("GET", "/user/self/", CANARY, 0)]
    assert thief.seen == [
        ("PUT", "/parts?upload_id=u&part_number=1", CANARY, small_file.stat().st_size)
    ]
