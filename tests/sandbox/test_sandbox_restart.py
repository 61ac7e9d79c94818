"""A sandbox restarted on its data directory: what it held and handed out still stands."""

from __future__ import annotations

from pathlib import Path

import httpx

from pubsmith_sandbox.pytest_plugin import SandboxFactory
from tests.support.http_clients import http_client
from tests.support.sandbox_api import REPO, publish, request_upload, send, wait_settled


def test_a_restart_with_the_same_directory_keeps_everything(
    cloudsmith_sandbox_factory: SandboxFactory, tmp_path: Path, plain: httpx.Client
) -> None:
    first = cloudsmith_sandbox_factory(data_dir=tmp_path / "state", api_key="k")
    with http_client(base_url=first.url, headers={"X-Api-Key": "k"}) as api:
        package = publish(api, plain, "raw", "kept.txt", b"kept\n", version="3")
        wait_settled(api, package["slug"])
        waiting = request_upload(api, "later.bin", b"later", method="put")
        before = first.state()
    first.close()
    second = cloudsmith_sandbox_factory(data_dir=tmp_path / "state", api_key="k")
    with http_client(base_url=second.url, headers={"X-Api-Key": "k"}) as api:
        assert second.state()["requests"] == before["requests"]
        assert second.state()["uploads"] == before["uploads"]
        read = api.get(f"/packages/{REPO}/{package['slug']}/")
        assert read.status_code == 200
        assert (read.json()["version"], read.json()["status_str"]) == ("3", "Completed")
        # The presigned URL handed out before the restart is still signed correctly.
        moved = {**waiting, "upload_url": waiting["upload_url"].replace(first.url, second.url)}
        assert send(plain, moved, "later.bin", b"later").status_code == 200
        duplicate = publish(api, plain, "raw", "kept.txt", b"kept\n", version="3")
        assert wait_settled(api, duplicate["slug"])["is_sync_failed"]


def test_packages_pending_at_shutdown_are_processed_after_a_restart(
    cloudsmith_sandbox_factory: SandboxFactory, tmp_path: Path, plain: httpx.Client
) -> None:
    first = cloudsmith_sandbox_factory(data_dir=tmp_path / "state", clock="manual")
    with http_client(base_url=first.url, headers={"X-Api-Key": first.api_key}) as api:
        package = publish(api, plain, "raw", "pending.txt", b"pending\n")
    first.close()  # its clock never moved: the package was still pending
    second = cloudsmith_sandbox_factory(data_dir=tmp_path / "state")
    with http_client(base_url=second.url, headers={"X-Api-Key": second.api_key}) as api:
        assert wait_settled(api, package["slug"])["is_sync_completed"]
