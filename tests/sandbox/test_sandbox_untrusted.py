"""Untrusted text in requests and artifacts: a clear 400 or a clear failure, never a 500.

JSON can spell text UTF-8 cannot encode (``"\\ud800"``), numbers JSON does not have
(``NaN``) and nesting deeper than a parser follows; file names can be longer than a disk
takes. Each is refused before anything is stored, in the API's ``detail``/``fields`` shape.
"""

from __future__ import annotations

import base64
import io
import socket
import tarfile
from pathlib import Path

import httpx
import pytest

from pubsmith_sandbox.clock import ManualClock
from pubsmith_sandbox.db import Database
from pubsmith_sandbox.package_store import PackageStore
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from pubsmith_sandbox.records import PackageRecord
from tests.support.sandbox_api import OPEN_SANDBOX, REPO, upload, wait_settled

SURROGATE = '"x\\ud800y"'  # JSON for "x", a lone high surrogate, "y"
NOT_TEXT = (
    "Not valid text: it holds \\ud800, a lone surrogate, which UTF-8 cannot encode; "
    "send the text as UTF-8."
)

pytestmark = OPEN_SANDBOX


def _post_json(api: httpx.Client, path: str, text: str) -> httpx.Response:
    return api.post(path, content=text.encode(), headers={"Content-Type": "application/json"})


def _npm_tarball(manifest: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        data = manifest.encode()
        member = tarfile.TarInfo("package/package.json")
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (f"/files/{REPO}/validate/", '{{"filename": {text}}}', "filename"),
        (f"/files/{REPO}/", '{{"filename": {text}, "method": "put"}}', "filename"),
        (f"/files/{REPO}/", '{{"filename": "a.txt", "md5_checksum": {text}}}', "md5_checksum"),
        (f"/packages/{REPO}/upload/npm/", '{{"package_file": "{upload}", "tags": {text}}}', "tags"),
        (
            f"/packages/{REPO}/upload/raw/",
            '{{"package_file": "{upload}", "version": {text}}}',
            "version",
        ),
        (f"/packages/{REPO}/upload/raw/", '{{"package_file": "{upload}", {text}: 1}}', "x\\ud800y"),
        (f"/packages/{REPO}/validate-upload/python/", '{{"package_file": {text}}}', "package_file"),
        (
            f"/packages/{REPO}/upload/raw/",
            '{{"package_file": "{upload}", "extra": [{{"deep": {text}}}]}}',
            "extra",
        ),
        ("/openid/acme/", '{{"oidc_token": {text}, "service_slug": "ci"}}', "oidc_token"),
    ],
    ids=[
        "files_validate",
        "files_create",
        "files_create-checksum",
        "upload_npm-tags",
        "upload_raw-version",
        "upload_raw-key",
        "validate_python",
        "upload_raw-nested",
        "openid",
    ],
)
def test_a_lone_surrogate_anywhere_in_a_json_body_is_a_400_naming_the_field(
    api: httpx.Client,
    plain: httpx.Client,
    sandbox: SandboxFixture,
    path: str,
    body: str,
    field: str,
) -> None:
    identifier = upload(api, plain, "notes.txt", b"notes")
    before = sandbox.state()
    response = _post_json(api, path, body.format(text=SURROGATE, upload=identifier))
    assert response.status_code == 400, response.text
    assert response.json() == {
        "detail": "The request body has invalid fields; see fields.",
        "fields": {field: [NOT_TEXT]},
    }
    after = sandbox.state()
    assert after["packages"] == before["packages"]
    assert after["uploads"] == before["uploads"]


def test_an_npm_package_whose_manifest_names_it_with_a_lone_surrogate_fails_clearly(
    api: httpx.Client, plain: httpx.Client
) -> None:
    tarball = _npm_tarball('{"name": "left-\\ud800-pad", "version": "1.0.0"}')
    identifier = upload(api, plain, "left-pad-1.0.0.tgz", tarball)
    created = api.post(f"/packages/{REPO}/upload/npm/", json={"package_file": identifier})
    assert created.status_code == 201, created.text
    status = wait_settled(api, created.json()["slug_perm"])
    assert status["is_sync_failed"]
    assert status["status_reason"] == (
        "left-pad-1.0.0.tgz: the name in its metadata, 'left-\\ud800-pad', holds a lone "
        "surrogate, which is not text; fix the name and build it again."
    )
    listed = api.get(f"/packages/{REPO}/")
    assert listed.status_code == 200
    assert [item["status_str"] for item in listed.json()] == ["Failed"]


def test_a_processing_reason_quoting_a_surrogate_is_kept_escaped(tmp_path: Path) -> None:
    db = Database(tmp_path / "state.sqlite3")
    store = PackageStore(db, ManualClock(1.0))
    record = PackageRecord(
        slug_perm="perm1",
        slug="notes-abcd",
        owner="acme",
        repo="sandbox",
        format="raw",
        filename="notes.txt",
        upload="up1",
        files=(),
        payload={},
        state="pending",
        uploaded_at=1.0,
        queued_at=1.0,
        due_at=1.0,
    )
    store.insert(record)
    store.settle("perm1", 1.0, "notes.txt: the name 'a\udc80b' is not allowed", {})
    settled = store.by_slug_perm("perm1")
    db.close()
    assert settled is not None
    assert settled.state == "failed"
    assert settled.status_reason == "notes.txt: the name 'a\\udc80b' is not allowed"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ('{"filename": NaN}', "Out of range float values are not JSON compliant: NaN"),
        ('{"filename": -Infinity}', "Out of range float values are not JSON compliant"),
        ('{"filename": 1e999}', "Out of range float values are not JSON compliant: 1e999"),
        ("[" * 100_000 + "]" * 100_000, "the body is nested too deeply."),
        ('{"filename": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ('{"filename": "a.txt"', "Expecting ',' delimiter"),
        ('["a.txt"]', "Invalid data. Expected a dictionary, but got list."),
    ],
    ids=["nan", "infinity", "overflow", "deep-list", "deep-field", "truncated", "list"],
)
def test_json_python_reads_but_the_api_does_not_is_a_400(
    api: httpx.Client, sandbox: SandboxFixture, body: str, detail: str
) -> None:
    response = _post_json(api, f"/files/{REPO}/", body)
    assert response.status_code == 400, response.text
    assert detail in response.json()["detail"]
    assert sandbox.state()["uploads"]["open"] == 0


def test_bytes_that_are_not_utf8_are_a_json_parse_error(api: httpx.Client) -> None:
    response = api.post(f"/files/{REPO}/", content=b'{"filename": "caf\xe9.txt"}')
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - 'utf-8' codec")


def test_a_file_name_longer_than_the_disk_takes_is_a_400_and_one_that_fits_uploads(
    api: httpx.Client, plain: httpx.Client
) -> None:
    too_long = "é" * 128 + ".txt"  # 132 characters, the API's limit is 255; but 260 bytes
    response = api.post(f"/files/{REPO}/", json={"filename": too_long})
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "filename": [
            "Ensure this file name has no more than 255 bytes as UTF-8 (the sandbox stores "
            "each file under its name); shorten it."
        ]
    }
    fits = "é" * 125 + ".txt"  # 254 bytes
    identifier = upload(api, plain, fits, b"accents")
    created = api.post(f"/packages/{REPO}/upload/raw/", json={"package_file": identifier})
    assert created.status_code == 201
    assert created.json()["filename"] == fits


def test_percent_encoded_path_segments_are_decoded(api: httpx.Client) -> None:
    # %61cme is "acme": served. Bytes that are not UTF-8 read as U+FFFD: a clean 404.
    assert api.get("/packages/%61cme/sandbox/").status_code == 200
    response = api.get("/packages/acme/%ED%A0%80/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_an_oidc_token_is_not_parsed_before_its_signature_checks_out(api: httpx.Client) -> None:
    header = base64.urlsafe_b64encode(b"[" * 100_000).decode().rstrip("=")
    response = api.post(
        "/openid/acme/", json={"oidc_token": f"{header}.e30.c2ln", "service_slug": "ci"}
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "OIDC token cannot be authenticated."}


@pytest.mark.parametrize("size", [b"-5", b"+5", b"0x5", b"5_0", b"", b"1" * 17])
def test_a_chunk_size_that_is_not_hex_digits_is_a_400(sandbox: SandboxFixture, size: bytes) -> None:
    host, port = sandbox.url.removeprefix("http://").split(":")
    request = (
        f"POST /files/{REPO}/validate/ HTTP/1.1\r\nHost: {host}\r\nX-Api-Key: k\r\n"
        "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request + size + b"\r\n{}\r\n0\r\n\r\n")
        status_line = connection.makefile("rb").readline()
    assert status_line.startswith(b"HTTP/1.1 400 "), status_line
