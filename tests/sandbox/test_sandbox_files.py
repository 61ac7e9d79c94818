from __future__ import annotations

import hashlib
import os
import shutil
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from pubsmith_sandbox.errors import SandboxError
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.sandbox_api import (
    OPEN_SANDBOX,
    REPO,
    publish,
    request_upload,
    send,
    upload,
)

DATA = b"sandbox file contents\n" * 100

pytestmark = OPEN_SANDBOX


def _blob(sandbox: SandboxFixture, identifier: str) -> Path:
    return next((sandbox.data_dir / "blobs" / identifier).iterdir())


def test_files_validate_accepts_a_good_request_and_names_bad_fields(api: httpx.Client) -> None:
    good = api.post(
        f"/files/{REPO}/validate/", json={"filename": "a.whl", "md5_checksum": "0" * 32}
    )
    assert good.status_code == 204
    assert good.content == b""
    bad = api.post(f"/files/{REPO}/validate/", json={"md5_checksum": "short", "method": "ftp"})
    assert bad.status_code == 400
    fields = bad.json()["fields"]
    assert fields["filename"] == ["This field is required."]
    assert fields["md5_checksum"] == ["Ensure this field has at least 32 characters."]
    assert fields["method"] == ['"ftp" is not a valid choice.']


def test_files_create_answers_each_method_as_the_real_service(api: httpx.Client) -> None:
    post = request_upload(api, "a.bin", DATA)
    assert post["upload_url"].endswith("/_sandbox/upload/post/")
    assert set(post["upload_fields"]) == {"key", "policy", "signature"}
    assert post["upload_querystring"] is None
    put = request_upload(api, "a.bin", DATA, method="put")
    assert put["upload_fields"] is None
    assert "signature=" in put["upload_querystring"]
    assert put["upload_url"].endswith("/a.bin")
    parts = request_upload(api, "a.bin", DATA, method="put_parts")
    assert parts["upload_querystring"] == f"upload_id={parts['identifier']}"
    assert len({post["identifier"], put["identifier"], parts["identifier"]}) == 3


def test_files_create_rejects_a_path_as_filename(api: httpx.Client) -> None:
    response = api.post(f"/files/{REPO}/", json={"filename": "../.."})
    assert response.status_code == 400
    assert "filename" in response.json()["fields"]


@pytest.mark.parametrize("method", ["post", "put", "presigned", "unsigned_put"])
def test_single_request_uploads_store_the_exact_bytes(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture, method: str
) -> None:
    identifier = upload(api, plain, "exact.bin", DATA, method=method)
    blob = _blob(sandbox, identifier)
    assert blob.name == "exact.bin"
    assert blob.read_bytes() == DATA
    assert sandbox.state()["uploads"]["completed"] == 1


def test_put_streams_a_chunked_body(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    info = request_upload(api, "chunked.bin", data, method="put")

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(data), 700_001):
            yield data[start : start + 700_001]

    url = f"{info['upload_url']}?{info['upload_querystring']}"
    response = plain.put(url, content=pieces())
    assert response.status_code == 200
    assert _blob(sandbox, info["identifier"]).read_bytes() == data


def test_put_with_a_bad_signature_is_refused(api: httpx.Client, plain: httpx.Client) -> None:
    info = request_upload(api, "a.bin", DATA, method="put")
    response = plain.put(info["upload_url"] + "?expires=9999999999&signature=0000", content=DATA)
    assert response.status_code == 403
    assert "signature" in response.json()["detail"]


def test_post_with_a_forged_policy_is_refused(api: httpx.Client, plain: httpx.Client) -> None:
    info = request_upload(api, "a.bin", DATA)
    fields = {**info["upload_fields"], "signature": "f" * 64}
    response = plain.post(info["upload_url"], data=fields, files={"file": ("a.bin", DATA)})
    assert response.status_code == 403


def test_post_without_a_file_part_is_refused(api: httpx.Client, plain: httpx.Client) -> None:
    info = request_upload(api, "a.bin", DATA)
    response = plain.post(
        info["upload_url"], data=info["upload_fields"], files={"other": ("a.bin", DATA)}
    )
    assert response.status_code == 400
    assert "file" in response.json()["detail"]


@pytest.mark.parametrize("method", ["post", "put"])
def test_checksum_mismatch_fails_the_upload(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture, method: str
) -> None:
    info = request_upload(api, "a.bin", DATA, method=method)
    response = send(plain, info, "a.bin", DATA + b"tampered")
    assert response.status_code == 400
    assert "checksum" in response.json()["detail"]
    assert sandbox.state()["uploads"]["failed"] == 1
    again = send(plain, info, "a.bin", DATA)
    assert again.status_code == 400, "a failed upload takes no more data"


def test_credentials_sent_to_presigned_endpoints_are_recorded_as_fingerprints(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    post = request_upload(api, "a.bin", DATA)
    plain.post(
        post["upload_url"],
        data=post["upload_fields"],
        files={"file": ("a.bin", DATA)},
        headers={"X-Api-Key": "leaked-key"},
    )
    put = request_upload(api, "b.bin", DATA, method="put")
    plain.put(
        f"{put['upload_url']}?{put['upload_querystring']}",
        content=DATA,
        headers={"Authorization": "Bearer leaked-token", "Cookie": "session=1"},
    )
    seen = sandbox.state()["credentials_seen"]
    assert seen == [
        {
            "endpoint": "post",
            "header": "x-api-key",
            "fingerprint": hashlib.sha256(b"leaked-key").hexdigest()[:8],
        },
        {
            "endpoint": "put",
            "header": "authorization",
            "fingerprint": hashlib.sha256(b"Bearer leaked-token").hexdigest()[:8],
        },
        {
            "endpoint": "put",
            "header": "cookie",
            "fingerprint": hashlib.sha256(b"session=1").hexdigest()[:8],
        },
    ]
    database = (sandbox.data_dir / "sandbox.sqlite3").read_bytes()
    assert b"leaked-key" not in database
    assert b"leaked-token" not in database


def _put_part(
    plain: httpx.Client,
    sandbox: SandboxFixture,
    identifier: str,
    number: int,
    data: bytes,
    key: str | None = "test-key",
) -> httpx.Response:
    headers = {"X-Api-Key": key} if key else {}
    return plain.put(
        f"{sandbox.url}/_sandbox/upload/parts/",
        params={"upload_id": identifier, "part_number": number},
        content=data,
        headers=headers,
    )


def test_parts_in_any_order_and_concurrently_are_joined_in_order(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    parts = [os.urandom(200_000 + number) for number in range(8)]
    whole = b"".join(parts)
    info = request_upload(api, "big.bin", whole, method="put_parts")
    order = [5, 2, 7, 0, 3, 6, 1, 4]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(
                lambda n: _put_part(plain, sandbox, info["identifier"], n + 1, parts[n]), order
            )
        )
    assert [answer.status_code for answer in answers] == [200] * 8
    # S3 documents multipart ETags as opaque; each stored part gets its own.
    assert len({answer.headers["ETag"] for answer in answers}) == 8
    complete = api.post(
        f"/files/{REPO}/{info['identifier']}/complete/",
        json={"upload_id": info["identifier"], "complete": True},
    )
    assert complete.status_code == 201
    assert complete.json()["identifier"] == info["identifier"]
    assert _blob(sandbox, info["identifier"]).read_bytes() == whole
    assert not (sandbox.data_dir / "parts" / info["identifier"]).exists()
    again = api.post(f"/files/{REPO}/{info['identifier']}/complete/", json={})
    assert again.status_code == 400


def test_a_part_sent_again_replaces_the_first(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    info = request_upload(api, "p.bin", b"AB", method="put_parts", checksums=False)
    for number, data in ((2, b"B"), (1, b"x"), (1, b"A")):
        assert _put_part(plain, sandbox, info["identifier"], number, data).status_code == 200
    assert api.post(f"/files/{REPO}/{info['identifier']}/complete/").status_code == 201
    assert _blob(sandbox, info["identifier"]).read_bytes() == b"AB"


def test_a_part_sent_again_after_it_was_hashed_is_checked_as_sent_last(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    data = os.urandom(300_000)
    info = request_upload(api, "p.bin", data, method="put_parts")
    identifier = info["identifier"]
    for number, piece in ((1, data[:100_000]), (2, os.urandom(200_000)), (2, data[100_000:])):
        assert _put_part(plain, sandbox, identifier, number, piece).status_code == 200
    assert api.post(f"/files/{REPO}/{identifier}/complete/").status_code == 201
    assert _blob(sandbox, identifier).read_bytes() == data


def _parts_upload(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture, data: bytes, **create: str
) -> str:
    response = api.post(
        f"/files/{REPO}/", json={"filename": "p.bin", "method": "put_parts", **create}
    )
    identifier: str = response.json()["identifier"]
    for number, offset in enumerate(range(0, len(data), 100_000), start=1):
        piece = data[offset : offset + 100_000]
        assert _put_part(plain, sandbox, identifier, number, piece).status_code == 200
    return identifier


def test_complete_checks_the_sha256_a_client_hashed_while_sending(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    data = os.urandom(250_000)
    sha256 = hashlib.sha256(data).hexdigest()
    good = _parts_upload(api, plain, sandbox, data)
    answer = api.post(
        f"/files/{REPO}/{good}/complete/",
        json={"filename": "p.bin", "sha256_checksum": sha256.upper()},
    )
    assert answer.status_code == 201
    assert _blob(sandbox, good).read_bytes() == data
    bad = _parts_upload(api, plain, sandbox, data)
    refused = api.post(f"/files/{REPO}/{bad}/complete/", json={"sha256_checksum": "0" * 64})
    assert refused.status_code == 400
    assert f"sha256 checksum is {sha256}" in refused.json()["detail"]
    assert api.post(f"/files/{REPO}/{bad}/complete/").status_code == 400  # failed for good


def test_complete_refuses_checksums_that_contradict_or_are_malformed(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    data = os.urandom(150_000)
    sha256 = hashlib.sha256(data).hexdigest()
    identifier = _parts_upload(api, plain, sandbox, data, sha256_checksum=sha256)
    other = api.post(f"/files/{REPO}/{identifier}/complete/", json={"sha256_checksum": "1" * 64})
    assert other.status_code == 400
    assert "differs from the one given when the upload was requested" in other.json()["detail"]
    malformed = api.post(f"/files/{REPO}/{identifier}/complete/", json={"md5_checksum": "not-hex"})
    assert malformed.status_code == 400
    assert "md5_checksum" in malformed.json()["fields"]
    same = api.post(f"/files/{REPO}/{identifier}/complete/", json={"sha256_checksum": sha256})
    assert same.status_code == 201


def test_parts_need_the_api_credentials(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    info = request_upload(api, "p.bin", DATA, method="put_parts")
    assert _put_part(plain, sandbox, info["identifier"], 1, DATA, key=None).status_code == 401
    assert _put_part(plain, sandbox, "nope", 1, DATA).status_code == 404
    assert _put_part(plain, sandbox, info["identifier"], 0, DATA).status_code == 400
    missing_id = plain.put(
        f"{sandbox.url}/_sandbox/upload/parts/",
        params={"part_number": 1},
        content=DATA,
        headers={"X-Api-Key": "k"},
    )
    assert missing_id.status_code == 400


def test_complete_checks_the_joined_file_against_its_checksums(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    info = request_upload(api, "p.bin", DATA, method="put_parts")
    _put_part(plain, sandbox, info["identifier"], 1, DATA[:10])
    response = api.post(f"/files/{REPO}/{info['identifier']}/complete/")
    assert response.status_code == 400
    assert "md5" in response.json()["detail"]


def test_complete_and_abort_refuse_what_is_not_multipart(
    api: httpx.Client, plain: httpx.Client
) -> None:
    identifier = upload(api, plain, "a.bin", DATA)
    for action in ("complete", "abort"):
        response = api.post(f"/files/{REPO}/{identifier}/{action}/")
        assert response.status_code == 400
        assert response.json()["detail"] == "The provided upload file was not a multipart upload."
    info = api.get(f"/files/{REPO}/{identifier}/info/")
    assert info.status_code == 400
    empty = request_upload(api, "e.bin", DATA, method="put_parts")
    assert api.post(f"/files/{REPO}/{empty['identifier']}/complete/").status_code == 400


def test_abort_discards_parts_and_an_unfinished_upload_stays_open(
    api: httpx.Client, plain: httpx.Client, sandbox: SandboxFixture
) -> None:
    aborted = request_upload(api, "a.bin", DATA, method="put_parts")
    request_upload(api, "left.bin", DATA, method="put_parts")
    _put_part(plain, sandbox, aborted["identifier"], 1, DATA)
    response = api.post(f"/files/{REPO}/{aborted['identifier']}/abort/")
    assert response.status_code == 204
    assert not (sandbox.data_dir / "parts" / aborted["identifier"]).exists()
    assert _put_part(plain, sandbox, aborted["identifier"], 2, DATA).status_code == 400
    assert api.post(f"/files/{REPO}/{aborted['identifier']}/complete/").status_code == 400
    uploads = sandbox.state()["uploads"]
    assert (uploads["open"], uploads["aborted"]) == (1, 1)


def test_info_describes_a_multipart_upload(api: httpx.Client) -> None:
    info = request_upload(api, "a.bin", DATA, method="put_parts")
    response = api.get(f"/files/{REPO}/{info['identifier']}/info/", params={"part_number": 3})
    assert response.status_code == 200
    assert response.json()["upload_querystring"] == f"upload_id={info['identifier']}&part_number=3"
    assert api.get(f"/files/{REPO}/missing/info/").status_code == 404
    assert api.get(f"/files/acme/other/{info['identifier']}/info/").status_code == 404


@pytest.mark.cloudsmith_sandbox(upload_url_seconds=60, clock="manual")
def test_an_expired_put_url_is_refused(
    sandbox: SandboxFixture, api: httpx.Client, plain: httpx.Client
) -> None:
    for method in ("put", "post"):
        info = request_upload(api, "late.bin", DATA, method=method)
        sandbox.clock.advance(61)
        response = send(plain, info, "late.bin", DATA)
        assert response.status_code == 403
        assert "expired" in response.json()["detail"]


@pytest.mark.cloudsmith_sandbox(clock="manual")
def test_a_missing_file_fails_processing(
    sandbox: SandboxFixture, api: httpx.Client, plain: httpx.Client
) -> None:
    package = publish(api, plain, "raw", "gone.txt", DATA)
    shutil.rmtree(sandbox.data_dir / "blobs")  # before processing: the clock stands still
    sandbox.clock.advance(1)
    status = api.get(f"/packages/{REPO}/{package['slug']}/status/").json()
    assert status["status_reason"] == "gone.txt: the uploaded file is missing."


def test_a_malformed_content_length_is_a_400(sandbox: SandboxFixture) -> None:
    host, port = sandbox.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(b"GET /formats/ HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")
        assert connection.recv(100).startswith(b"HTTP/1.1 400")


def test_wait_idle_returns_once_a_client_cut_off_mid_body_is_counted(
    sandbox: SandboxFixture,
) -> None:
    host, port = sandbox.url.removeprefix("http://").split(":")
    head = (
        f"POST /files/{REPO}/ HTTP/1.1\r\nHost: x\r\nX-Api-Key: k\r\n"
        "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(head.encode() + b'{"filename": "' + b"a" * 86)
    # The client is gone with 900 bytes unsent; the sandbox learns it in its own time.
    sandbox.wait_idle()
    assert sandbox.state()["bytes_received"] == {"files_create": 100}


def test_wait_idle_gives_up_on_a_connection_that_stays_open(sandbox: SandboxFixture) -> None:
    host, port = sandbox.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(b"GET /formats/ HTTP/1.1\r\nHost: x\r\n")  # headers unfinished
        with pytest.raises(SandboxError, match="still open after 0.2 s"):
            sandbox.wait_idle(timeout=0.2)
