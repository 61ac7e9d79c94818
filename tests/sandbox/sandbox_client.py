"""Client steps the sandbox tests repeat: request an upload, send its bytes, publish, wait."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import httpx

REPO = "acme/sandbox"


def request_upload(
    api: httpx.Client,
    filename: str,
    data: bytes,
    *,
    method: str = "post",
    repo: str = REPO,
    checksums: bool = True,
) -> dict[str, Any]:
    body: dict[str, Any] = {"filename": filename, "method": method}
    if checksums:
        body["md5_checksum"] = hashlib.md5(data).hexdigest()  # noqa: S324 - the API's checksum
        body["sha256_checksum"] = hashlib.sha256(data).hexdigest()
    response = api.post(f"/files/{repo}/", json=body)
    assert response.status_code == 202, response.text
    info: dict[str, Any] = response.json()
    return info


def send(plain: httpx.Client, info: dict[str, Any], filename: str, data: bytes) -> httpx.Response:
    """Deliver the bytes the way files_create said: form POST or presigned PUT."""
    if info["upload_fields"] is not None:
        return plain.post(
            info["upload_url"], data=info["upload_fields"], files={"file": (filename, data)}
        )
    url = info["upload_url"]
    if info["upload_querystring"]:
        url += "?" + info["upload_querystring"]
    return plain.put(url, content=data, headers=info["upload_headers"] or {})


def upload(
    api: httpx.Client,
    plain: httpx.Client,
    filename: str,
    data: bytes,
    *,
    method: str = "post",
    repo: str = REPO,
) -> str:
    """A completed upload's identifier."""
    info = request_upload(api, filename, data, method=method, repo=repo)
    response = send(plain, info, filename, data)
    assert response.status_code in (200, 204), response.text
    identifier: str = info["identifier"]
    return identifier


def publish(
    api: httpx.Client,
    plain: httpx.Client,
    fmt: str,
    filename: str,
    data: bytes,
    *,
    repo: str = REPO,
    **fields: Any,
) -> dict[str, Any]:
    identifier = upload(api, plain, filename, data, repo=repo)
    response = api.post(
        f"/packages/{repo}/upload/{fmt}/", json={"package_file": identifier, **fields}
    )
    assert response.status_code == 201, response.text
    package: dict[str, Any] = response.json()
    return package


def wait_settled(
    api: httpx.Client, slug: str, *, repo: str = REPO, timeout: float = 10
) -> dict[str, Any]:
    """The package's status once it completed or failed."""
    deadline = time.monotonic() + timeout
    while True:
        response = api.get(f"/packages/{repo}/{slug}/status/")
        assert response.status_code == 200, response.text
        status: dict[str, Any] = response.json()
        if status["is_sync_completed"] or status["is_sync_failed"]:
            return status
        assert time.monotonic() < deadline, f"{slug} still {status['status_str']}"
        time.sleep(0.02)
