"""Talking to a sandbox over its API as a client would: upload, publish, wait, list.

The sandbox's own tests drive each step by hand; the rest read back what a run left.
"""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.http_clients import http_client
from tests.support.waiting import wait_for

__all__ = [
    "OPEN_SANDBOX",
    "REPO",
    "calm",
    "publish",
    "request_upload",
    "send",
    "stored_packages",
    "upload",
    "wait_settled",
]

REPO = "acme/sandbox"

OPEN_SANDBOX = pytest.mark.cloudsmith_sandbox(repos=[REPO, "acme/other"], api_key=None)
"""How the sandbox's own tests set their sandboxes up: two repositories, any key accepted."""

QUIET = {
    "error_rate": 0.0,
    "reset_before_rate": 0.0,
    "reset_after_rate": 0.0,
    "latency_ms": 0,
    "rate_limit": None,
}


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
    api: httpx.Client, slug: str, *, repo: str = REPO, timeout: float = 30
) -> dict[str, Any]:
    """The package's status once it completed or failed."""

    def settled() -> dict[str, Any] | None:
        response = api.get(f"/packages/{repo}/{slug}/status/")
        assert response.status_code == 200, response.text
        status: dict[str, Any] = response.json()
        return status if status["is_sync_completed"] or status["is_sync_failed"] else None

    return wait_for(settled, f"{repo}/{slug} to finish processing", timeout=timeout)


def calm(sandbox: SandboxFixture) -> None:
    """Switch every request fault off, so a test can read the sandbox reliably."""
    sandbox.configure(**QUIET)


def stored_packages(sandbox: SandboxFixture, repo: str | None = None) -> list[dict[str, Any]]:
    """Every package of ``repo`` (default: the sandbox's first), read with faults off."""
    calm(sandbox)
    packages: list[dict[str, Any]] = []
    headers = {"X-Api-Key": sandbox.api_key}
    with http_client(base_url=sandbox.url, headers=headers, timeout=30) as api:
        page = 1
        while True:
            response = api.get(
                f"/packages/{repo or sandbox.repo_slug}/",
                params={"page": page, "page_size": 100},
            )
            response.raise_for_status()
            batch = response.json()
            packages += batch
            if len(batch) < 100:
                return packages
            page += 1
