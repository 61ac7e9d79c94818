"""The upload engine over real loopback HTTP against the sandbox."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pubsmith.client import CloudsmithClient
from pubsmith.errors import FileChangedError
from pubsmith.events import Event, Transferred
from pubsmith.hashing import digest_file
from pubsmith.polling import wait_for_sync
from pubsmith.publishing import publish
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


# -- A file written to while it is uploaded ----------------------------------------------

YESTERDAY = 1_700_000_000  # built a while ago: any write now moves its modification time


def built_file(tmp_path: Path, size: int) -> Path:
    path = make_file(tmp_path, size, "artifact.bin")
    os.utime(path, (YESTERDAY, YESTERDAY))
    return path


def grow(path: Path) -> None:
    with path.open("ab") as stream:
        stream.write(b"appended by a build still running")


def rewrite_in_place(path: Path) -> None:
    with path.open("r+b") as stream:
        stream.seek(path.stat().st_size - 4096)
        stream.write(os.urandom(4096))


def once(change: Callable[[Path], None], path: Path) -> Callable[[int], None]:
    """A progress callback that changes ``path`` when the first bytes have been sent."""
    done: list[bool] = []

    def progress(count: int) -> None:
        if count > 0 and not done:
            done.append(True)
            change(path)

    return progress


@pytest.mark.parametrize("change", [grow, rewrite_in_place], ids=["grows", "rewritten"])
@pytest.mark.parametrize("multipart", [False, True], ids=["single", "multipart"])
def test_a_file_changed_while_uploading_is_reported_as_changed(
    client: CloudsmithClient,
    sandbox: SandboxFixture,
    tmp_path: Path,
    change: Callable[[Path], None],
    multipart: bool,
) -> None:
    path = built_file(tmp_path, 12 * MiB if multipart else 3 * MiB)
    uploader = Uploader(client, chunk_size=5 * MiB)
    with pytest.raises(FileChangedError) as raised:
        uploader.upload(OWNER, REPO, path, progress=once(change, path))
    assert str(raised.value) == f"{path}: changed while uploading; publish it again"
    if multipart:  # a single upload cannot be aborted: unused, it expires on the server
        uploads = sandbox.state()["uploads"]
        assert (uploads["completed"], uploads["aborted"], uploads["open"]) == (0, 1, 0)


def test_a_file_changed_after_hashing_is_not_uploaded_as_the_old_content(
    client: CloudsmithClient, sandbox: SandboxFixture, tmp_path: Path
) -> None:
    path = built_file(tmp_path, 64 * 1024)
    digest = digest_file(path)
    grow(path)
    with pytest.raises(FileChangedError):
        Uploader(client).upload(OWNER, REPO, path, digest=digest)
    assert sandbox.state()["requests"] == {}


def test_a_publish_whose_file_changes_makes_no_package(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    path = built_file(tmp_path, 2 * MiB)
    changed = once(grow, path)

    def on_event(event: Event) -> None:
        if isinstance(event, Transferred):
            changed(event.sent)

    [result] = publish(
        [path],
        repo=f"{OWNER}/{REPO}",
        format="raw",
        options={"version": "1"},
        api_url=sandbox.url,
        api_key=KEY,
        on_event=on_event,
        resume=False,
    )
    assert result.status == "failed"
    assert result.error == f"{path}: changed while uploading; publish it again"
    with CloudsmithClient(sandbox.url, KEY) as reader:
        assert list(reader.list_packages(OWNER, REPO)) == []
