"""The upload engine over real loopback HTTP against the sandbox."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pubsmith.client import CloudsmithClient
from pubsmith.polling import wait_for_sync
from pubsmith.resume import FileResumeStore
from pubsmith.retry import RetryPolicy
from pubsmith.upload import Uploader
from pubsmith_sandbox.pytest_plugin import SandboxFixture

KEY = "e2e-upload-key-41f0"
OWNER, REPO = "acme", "uploads"
MiB = 1024 * 1024


pytestmark = pytest.mark.cloudsmith_sandbox(repos=[f"{OWNER}/{REPO}"], api_key=KEY)


@pytest.fixture
def client(sandbox: SandboxFixture) -> Iterator[CloudsmithClient]:
    policy = RetryPolicy(base_delay=0.01, max_delay=0.05, max_attempts=8)
    with CloudsmithClient(sandbox.url, KEY, policy=policy) as client:
        yield client


def make_file(tmp_path: Path, size: int, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def publish_raw(client: CloudsmithClient, identifier: str, version: str) -> dict[str, object]:
    package = client.create_package(
        OWNER, REPO, "raw", {"package_file": identifier, "version": version}
    )
    slug = str(package["slug_perm"])
    wait_for_sync(client, OWNER, REPO, slug, timeout=30)
    return client.read_package(OWNER, REPO, slug)


def test_post_upload_becomes_a_synchronised_package(
    client: CloudsmithClient, sandbox: SandboxFixture, tmp_path: Path
) -> None:
    path = make_file(tmp_path, 200 * 1024, "notes 1.0.txt")
    uploaded = Uploader(client).upload(OWNER, REPO, path)
    package = publish_raw(client, uploaded.identifier, "1.0")
    assert package["filename"] == path.name
    assert package["checksum_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert package["is_sync_completed"] is True
    state = sandbox.state()
    assert state["credentials_seen"] == []
    assert state["uploads"]["completed"] == 1


def test_put_parts_upload_in_parallel(
    client: CloudsmithClient, sandbox: SandboxFixture, tmp_path: Path
) -> None:
    path = make_file(tmp_path, 5 * MiB + 3, "big.bin")
    counts: list[int] = []
    uploader = Uploader(client, chunk_size=MiB, part_concurrency=3)
    uploaded = uploader.upload(OWNER, REPO, path, progress=counts.append)
    assert sum(counts) == path.stat().st_size
    package = publish_raw(client, uploaded.identifier, "2.0")
    assert package["size"] == path.stat().st_size
    assert package["checksum_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    state = sandbox.state()
    assert state["requests"]["sandbox_upload_part"] == 6
    assert state["requests"]["files_complete"] == 1
    assert state["uploads"]["open"] == 0


def test_uploads_survive_injected_faults(
    client: CloudsmithClient, sandbox: SandboxFixture, tmp_path: Path
) -> None:
    sandbox.configure(error_rate=0.15, reset_before_rate=0.1, reset_after_rate=0.1, seed=7)
    uploader = Uploader(
        client, chunk_size=MiB, part_concurrency=2, resume=FileResumeStore(tmp_path / "resume")
    )
    paths = [make_file(tmp_path, 3 * MiB + n, f"f{n}.bin") for n in range(2)]
    paths.append(make_file(tmp_path, 1000, "small.bin"))
    uploads = [uploader.upload(OWNER, REPO, path) for path in paths]
    faults = sandbox.state()["faults"]
    # Packages are created without faults: at-most-once creation is the publisher's job.
    sandbox.configure(error_rate=0, reset_before_rate=0, reset_after_rate=0)
    for path, uploaded in zip(paths, uploads, strict=True):
        package = publish_raw(client, uploaded.identifier, "3.0")
        assert package["checksum_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert faults["error"] > 0
    assert faults["reset_before"] > 0
    assert faults["reset_after"] > 0
    state = sandbox.state()
    assert state["uploads"]["completed"] == 3
    assert state["credentials_seen"] == []
    assert not list((tmp_path / "resume").glob("*.json"))
