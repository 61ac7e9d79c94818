"""Uploader against an in-memory Cloudsmith behind httpx.MockTransport."""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import itertools
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pubsmith.client import CloudsmithClient
from pubsmith.errors import (
    AmbiguousResultError,
    FileChangedError,
    TransportError,
    UploadError,
)
from pubsmith.hashing import digest_file
from pubsmith.resume import FileResumeStore, ResumeRecord
from pubsmith.retry import RateLimiter, RetryPolicy
from pubsmith.upload import Part, Uploader, split_parts

API = "https://api.example.test"
CANARY = "canary-upload-2d7c-key"
KiB = 1024

Fault = int | type[httpx.TransportError]


class FakeCloudsmith:
    """The files endpoints, a presigned bucket and a parts endpoint, in memory."""

    def __init__(self, *, put_style: bool = False, wave: int = 0) -> None:
        self.lock = threading.Lock()
        self.requests: list[httpx.Request] = []
        self.uploads: dict[str, dict[str, Any]] = {}
        self.ids = itertools.count(1)
        self.put_style = put_style
        self.faults: dict[str, list[Fault]] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.wave = wave
        self.wave_reached = threading.Event()

    def fault(self, where: str, *faults: Fault) -> None:
        self.faults[where] = list(faults)

    def _fault(self, where: str, request: httpx.Request) -> httpx.Response | None:
        with self.lock:
            pending = self.faults.get(where)
            fault = pending.pop(0) if pending else None
        if fault is None:
            return None
        if isinstance(fault, int):
            return httpx.Response(fault, json={"detail": f"injected {fault}"})
        raise fault("injected", request=request)

    def calls(self, *, host: str = "", method: str = "") -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if (not host or r.url.host == host) and (not method or r.method == method)
        ]

    def route(self, request: httpx.Request) -> list[str]:
        return [request.method, request.url.host, *request.url.path.strip("/").split("/")]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
        match self.route(request):
            case ["POST", "api.example.test", "files", _, _]:
                return self._fault("create", request) or self._create(request)
            case [_, "api.example.test", "files", _, _, identifier, action]:
                return self._fault(action, request) or self._file_action(action, identifier)
            case ["POST", "bucket.example.test", "post"]:
                return self._fault("post", request) or self._post(request)
            case ["PUT", "bucket.example.test", "put", identifier]:
                self.uploads[identifier]["data"] = request.read()
                return httpx.Response(200)
            case ["PUT", "upload.example.test", "parts", *_]:
                return self._part(request)
        return httpx.Response(404, json={"detail": "no route"})

    def _create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.read())
        identifier = f"up{next(self.ids)}"
        self.uploads[identifier] = {"request": body, "state": "open", "parts": {}, "data": None}
        if body["method"] == "put_parts":
            return httpx.Response(
                202,
                json={
                    "identifier": identifier,
                    "upload_querystring": "sig=abc",
                    "upload_url": f"https://upload.example.test/parts/acme/widgets/{body['filename']}",
                },
            )
        if self.put_style:
            return httpx.Response(
                202,
                json={
                    "identifier": identifier,
                    "upload_url": f"https://bucket.example.test/put/{identifier}",
                    "upload_fields": None,
                    "upload_headers": {"x-amz-meta-origin": "pubsmith"},
                },
            )
        return httpx.Response(
            202,
            json={
                "identifier": identifier,
                "upload_url": "https://bucket.example.test/post",
                "upload_fields": {"key": identifier, "policy": "cG9saWN5"},
                "upload_headers": {},
            },
        )

    def _file_action(self, action: str, identifier: str) -> httpx.Response:
        upload = self.uploads.get(identifier)
        if upload is None or upload["state"] != "open":
            return httpx.Response(404, json={"detail": "Upload not found."})
        if action == "info":
            return httpx.Response(
                200,
                json={
                    "identifier": identifier,
                    "upload_querystring": "sig=again",
                    "upload_url": "https://upload.example.test/parts/acme/widgets/again",
                },
            )
        if action == "abort":
            upload["state"] = "aborted"
            return httpx.Response(204)
        numbers = sorted(upload["parts"])
        if numbers != list(range(1, len(numbers) + 1)):
            return httpx.Response(400, json={"detail": f"parts missing: {numbers}"})
        upload["data"] = b"".join(upload["parts"][n] for n in numbers)
        upload["state"] = "complete"
        return httpx.Response(201, json={"identifier": identifier})

    def _post(self, request: httpx.Request) -> httpx.Response:
        head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
        form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.read())
        parts = {
            p.get_param("name", header="content-disposition"): p.get_payload(decode=True)
            for p in form.iter_parts()
        }
        key = parts["key"]
        assert isinstance(key, bytes)
        self.uploads[key.decode()]["data"] = parts["file"]
        return httpx.Response(204)

    def _part(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("X-Api-Key") != CANARY:
            return httpx.Response(401, json={"detail": "Credentials required."})
        number = int(request.url.params["part_number"])
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if self.in_flight >= self.wave:
                self.wave_reached.set()
        try:
            if self.wave:
                # Hold the first parts until a full window is in flight at once.
                self.wave_reached.wait(timeout=2)
            failed = self._fault(f"part{number}", request)
            if failed is not None:
                return failed
            upload = self.uploads[request.url.params["upload_id"]]
            upload["parts"][number] = request.read()
            return httpx.Response(200)
        finally:
            with self.lock:
                self.in_flight -= 1


@pytest.fixture
def connect() -> Iterator[Callable[..., CloudsmithClient]]:
    opened: list[httpx.Client] = []

    def make(server: FakeCloudsmith, **policy: Any) -> CloudsmithClient:
        http = httpx.Client(transport=httpx.MockTransport(server))
        opened.append(http)
        return CloudsmithClient(
            API,
            CANARY,
            http=http,
            rate_limiter=RateLimiter(),
            policy=RetryPolicy(sleep=lambda _: None, **policy),
        )

    yield make
    for http in opened:
        http.close()


def make_file(tmp_path: Path, size: int, name: str = "pkg.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def part_numbers(server: FakeCloudsmith) -> list[int]:
    return sorted(
        int(r.url.params["part_number"]) for r in server.calls(host="upload.example.test")
    )


def test_split_parts() -> None:
    assert split_parts(10, 4) == [Part(1, 0, 4), Part(2, 4, 4), Part(3, 8, 2)]
    assert [p.length for p in split_parts(8, 4)] == [4, 4]


def test_small_file_is_posted_with_its_fields(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    server = FakeCloudsmith()
    path = make_file(tmp_path, 300 * KiB, "widget 1.0.tar.gz")
    counts: list[int] = []
    uploaded = Uploader(connect(server)).upload("acme", "widgets", path, progress=counts.append)
    digest = digest_file(path)
    assert uploaded.identifier == "up1"
    assert (uploaded.filename, uploaded.size, uploaded.sha256) == (
        path.name,
        digest.size,
        digest.sha256,
    )
    # No files_validate: the package was validated as a whole before its transfer began.
    assert [(r.method, r.url.host, r.url.path) for r in server.requests] == [
        ("POST", "api.example.test", "/files/acme/widgets/"),
        ("POST", "bucket.example.test", "/post"),
    ]
    assert json.loads(server.requests[0].read()) == {
        "filename": path.name,
        "md5_checksum": digest.md5,
        "sha256_checksum": digest.sha256,
        "method": "post",
    }
    assert "X-Api-Key" not in server.requests[1].headers
    assert server.uploads["up1"]["data"] == path.read_bytes()
    assert sum(counts) == path.stat().st_size


def test_put_style_answer_is_put(connect: Callable[..., CloudsmithClient], tmp_path: Path) -> None:
    server = FakeCloudsmith(put_style=True)
    path = make_file(tmp_path, 10 * KiB)
    Uploader(connect(server)).upload("acme", "widgets", path)
    put = server.requests[-1]
    assert (put.method, put.url.path) == ("PUT", "/put/up1")
    assert put.headers["x-amz-meta-origin"] == "pubsmith"
    assert "X-Api-Key" not in put.headers
    assert server.uploads["up1"]["data"] == path.read_bytes()


def test_given_digest_is_used(connect: Callable[..., CloudsmithClient], tmp_path: Path) -> None:
    server = FakeCloudsmith()
    path = make_file(tmp_path, 1 * KiB)
    digest = digest_file(path)
    uploaded = Uploader(connect(server)).upload("acme", "widgets", path, digest=digest)
    assert uploaded.md5 == digest.md5


@pytest.mark.parametrize(("extra", "method"), [(0, "post"), (1, "put_parts")])
def test_threshold_chooses_the_method(
    connect: Callable[..., CloudsmithClient], tmp_path: Path, extra: int, method: str
) -> None:
    server = FakeCloudsmith()
    path = make_file(tmp_path, 64 * KiB + extra)
    Uploader(connect(server), chunk_size=64 * KiB).upload("acme", "widgets", path)
    assert json.loads(server.requests[0].read())["method"] == method


def test_multipart_sends_parts_in_parallel_within_the_window(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    server = FakeCloudsmith(wave=4)
    path = make_file(tmp_path, 17 * 64 * KiB + 5)
    counts: list[int] = []
    uploader = Uploader(connect(server), chunk_size=64 * KiB, part_concurrency=4)
    uploaded = uploader.upload("acme", "widgets", path, progress=counts.append)
    assert server.max_in_flight == 4
    assert part_numbers(server) == list(range(1, 19))
    for request in server.calls(host="upload.example.test"):
        assert request.headers["X-Api-Key"] == CANARY
        assert request.url.params["upload_id"] == uploaded.identifier
        assert request.url.params["sig"] == "abc"
    methods = [(r.method, r.url.path.rsplit("/", 2)[-2]) for r in server.calls(host=API[8:])]
    assert methods[-1] == ("POST", "complete")
    assert server.uploads[uploaded.identifier]["data"] == path.read_bytes()
    assert sum(counts) == path.stat().st_size


def test_multipart_names_its_sha256_on_completion_not_before(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    server = FakeCloudsmith()
    path = make_file(tmp_path, 3 * 64 * KiB)
    uploaded = Uploader(connect(server), chunk_size=64 * KiB).upload("acme", "widgets", path)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    created = json.loads(server.requests[0].read())
    assert created == {"filename": path.name, "method": "put_parts"}
    complete = json.loads(server.calls(host=API[8:])[-1].read())
    assert complete["sha256_checksum"] == sha256
    assert "md5_checksum" not in complete
    assert (uploaded.sha256, uploaded.md5, uploaded.size) == (sha256, None, path.stat().st_size)


def test_multipart_with_a_known_digest_names_it_up_front(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    server = FakeCloudsmith()
    path = make_file(tmp_path, 3 * 64 * KiB)
    digest = digest_file(path)
    Uploader(connect(server), chunk_size=64 * KiB).upload("acme", "widgets", path, digest=digest)
    assert json.loads(server.requests[0].read()) == {
        "filename": path.name,
        "sha256_checksum": digest.sha256,
        "method": "put_parts",
    }


def test_a_file_changed_while_its_parts_were_sent_is_not_completed(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    server = FakeCloudsmith()
    path = make_file(tmp_path, 3 * 64 * KiB)
    digest = digest_file(path)
    written = path.stat()
    path.write_bytes(os.urandom(3 * 64 * KiB))  # same size, other content, and its time
    os.utime(path, ns=(written.st_atime_ns, written.st_mtime_ns))  # put back: only the
    with pytest.raises(FileChangedError):  # checksum of what was sent can tell
        Uploader(connect(server), chunk_size=64 * KiB).upload(
            "acme", "widgets", path, digest=digest
        )
    assert not [r for r in server.requests if r.url.path.endswith("/complete/")]
    assert server.uploads["up1"]["state"] == "aborted"


def test_a_failing_part_is_retried_on_its_own(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    server = FakeCloudsmith()
    server.fault("part3", 503, httpx.ReadTimeout)
    path = make_file(tmp_path, 5 * 32 * KiB)
    counts: list[int] = []
    Uploader(connect(server), chunk_size=32 * KiB).upload(
        "acme", "widgets", path, progress=counts.append
    )
    assert part_numbers(server) == [1, 2, 3, 3, 3, 4, 5]
    assert server.uploads["up1"]["data"] == path.read_bytes()
    assert sum(counts) == path.stat().st_size


def test_a_refused_part_aborts_the_upload(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    server = FakeCloudsmith()
    server.fault("part3", 400)
    path = make_file(tmp_path, 10 * 16 * KiB)
    uploader = Uploader(connect(server), chunk_size=16 * KiB, part_concurrency=2)
    with pytest.raises(UploadError, match=r"upload of part 3 of pkg\.bin failed \(HTTP 400\)"):
        uploader.upload("acme", "widgets", path)
    assert len(part_numbers(server)) < 10
    assert server.uploads["up1"]["state"] == "aborted"
    assert not [r for r in server.requests if r.url.path.endswith("/complete/")]


def test_a_refused_post_is_not_aborted(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    # files_abort is for multipart uploads only; an unused presigned POST just expires.
    server = FakeCloudsmith()
    server.fault("post", 403)
    with pytest.raises(UploadError, match="HTTP 403"):
        Uploader(connect(server)).upload("acme", "widgets", make_file(tmp_path, 100))
    assert not [r for r in server.requests if r.url.path.endswith("/abort/")]


def test_a_lost_create_answer_asks_for_a_new_upload(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    server = FakeCloudsmith()
    server.fault("create", httpx.ReadTimeout)
    uploaded = Uploader(connect(server)).upload("acme", "widgets", make_file(tmp_path, 100))
    assert uploaded.identifier == "up1"  # the lost first answer never reached the fake
    assert [r.url.path for r in server.requests] == [
        "/files/acme/widgets/",
        "/files/acme/widgets/",
        "/post",
    ]


def test_create_answers_lost_again_and_again_give_up(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    server = FakeCloudsmith()
    server.fault("create", *[httpx.RemoteProtocolError] * 3)
    with pytest.raises(AmbiguousResultError):
        Uploader(connect(server, max_attempts=3)).upload(
            "acme", "widgets", make_file(tmp_path, 100)
        )
    assert len(server.calls(method="POST")) == 3


def test_failed_complete_aborts_without_resume(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    server = FakeCloudsmith()
    server.fault("complete", *[500] * 5)
    with pytest.raises(Exception, match="complete upload up1"):
        Uploader(connect(server, max_attempts=2), chunk_size=KiB).upload(
            "acme", "widgets", make_file(tmp_path, 3 * KiB)
        )
    assert server.uploads["up1"]["state"] == "aborted"


def test_interrupted_upload_resumes_from_accepted_parts(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    store = FileResumeStore(tmp_path / "state")
    server = FakeCloudsmith()
    server.fault("part5", *[httpx.ConnectError] * 3)
    path = make_file(tmp_path, 8 * 16 * KiB + 1)
    uploader = Uploader(
        connect(server, max_attempts=3), chunk_size=16 * KiB, part_concurrency=2, resume=store
    )
    with pytest.raises(TransportError):
        uploader.upload("acme", "widgets", path)
    assert server.uploads["up1"]["state"] == "open"
    [state] = list((tmp_path / "state").iterdir())
    saved = json.loads(state.read_text())
    assert saved["identifier"] == "up1"
    assert CANARY not in state.read_text()
    accepted = set(saved["parts"])
    assert accepted and 5 not in accepted

    first_run = len(server.requests)
    counts: list[int] = []
    uploaded = uploader.upload("acme", "widgets", path, progress=counts.append)
    again = server.requests[first_run:]
    assert uploaded.identifier == "up1"
    assert again[0].url.path == "/files/acme/widgets/up1/info/"
    sent = {int(r.url.params["part_number"]) for r in again if r.url.host == "upload.example.test"}
    assert sent == set(range(1, 10)) - accepted
    assert all(r.url.path.endswith("/again") for r in again if r.url.host == "upload.example.test")
    assert server.uploads["up1"]["data"] == path.read_bytes()
    assert sum(counts) == path.stat().st_size
    assert not state.exists()


def test_stale_resume_state_is_aborted_and_replaced(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    store = FileResumeStore(tmp_path / "state")
    server = FakeCloudsmith()
    server.uploads["old"] = {"state": "open", "parts": {}, "data": None}
    path = make_file(tmp_path, 3 * KiB)
    uploader = Uploader(connect(server), chunk_size=KiB, resume=store)
    key = uploader._key("acme", "widgets", path, path.stat().st_size)
    # Recorded with another chunk size: its parts cannot be reused.
    store.save(
        key, ResumeRecord("old", "https://upload.example.test/parts/x", 3 * KiB, 2 * KiB, {1})
    )
    uploaded = uploader.upload("acme", "widgets", path)
    assert server.uploads["old"]["state"] == "aborted"
    assert uploaded.identifier == "up1"
    assert server.uploads["up1"]["data"] == path.read_bytes()
    assert store.load(key) is None


def test_resume_state_of_a_vanished_upload_is_dropped(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    store = FileResumeStore(tmp_path / "state")
    server = FakeCloudsmith()
    path = make_file(tmp_path, 3 * KiB)
    uploader = Uploader(connect(server), chunk_size=KiB, resume=store)
    key = uploader._key("acme", "widgets", path, path.stat().st_size)
    store.save(key, ResumeRecord("gone", "https://upload.example.test/p", 3 * KiB, KiB, {1, 2}))
    uploaded = uploader.upload("acme", "widgets", path)
    assert uploaded.identifier == "up1"
    assert part_numbers(server) == [1, 2, 3]


def test_damaged_resume_state_is_ignored(tmp_path: Path) -> None:
    store = FileResumeStore(tmp_path)
    (tmp_path / "k.json").write_text("{not json")
    assert store.load("k") is None
    assert store.load("absent") is None
    store.discard("absent")


def test_resume_key_depends_on_repo_file_and_its_modification(
    connect: Callable[..., CloudsmithClient], tmp_path: Path
) -> None:
    uploader = Uploader(connect(FakeCloudsmith()))
    path = make_file(tmp_path, 10)
    other = make_file(tmp_path, 10, "other.bin")
    keys = {
        uploader._key("acme", "widgets", path, 10),
        uploader._key("acme", "widgets", path, 10),
        uploader._key("acme", "other", path, 10),
        uploader._key("acme", "widgets", other, 10),
    }
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    keys.add(uploader._key("acme", "widgets", path, 10))
    assert len(keys) == 4
