"""The ``cloudsmith_sandbox`` fixture that pubsmith ships for plugin authors."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
from sandbox_client import publish, wait_settled

import pubsmith_sandbox
from pubsmith_sandbox.pytest_plugin import SandboxFixture


def test_the_fixture_serves_acme_sandbox_with_its_key(
    cloudsmith_sandbox: SandboxFixture, plain: httpx.Client
) -> None:
    assert cloudsmith_sandbox.repo_slug == "acme/sandbox"
    assert cloudsmith_sandbox.api_key == "sandbox-key"
    with httpx.Client(base_url=cloudsmith_sandbox.url) as anonymous:
        assert anonymous.get("/packages/acme/sandbox/").status_code == 401
    headers = {"X-Api-Key": cloudsmith_sandbox.api_key}
    with httpx.Client(base_url=cloudsmith_sandbox.url, headers=headers) as api:
        package = publish(api, plain, "raw", "plugin.txt", b"from a plugin test\n")
        assert wait_settled(api, package["slug"])["is_sync_completed"]
        token = cloudsmith_sandbox.mint_oidc_token("repo:acme/plugin")
        exchanged = api.post("/openid/acme/", json={"oidc_token": token, "service_slug": "ci"})
        assert exchanged.status_code == 201
        cloudsmith_sandbox.configure(error_rate=1.0)
        assert api.get("/user/self/").status_code >= 500
    state = cloudsmith_sandbox.state()
    assert state["packages"]["acme/sandbox"]["completed"] == 1
    assert state["faults"]["error"] == 1
    assert (cloudsmith_sandbox.data_dir / "sandbox.sqlite3").is_file()


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    probe = textwrap.dedent("""
        import sys
        import pubsmith_sandbox.pytest_plugin
        heavy = ("sqlite3", "http.server", "socketserver", "cloudsmith_api",
                 "pubsmith_sandbox.runner", "pubsmith.registry")
        print([name for name in heavy if name in sys.modules])
    """)
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    from importlib.metadata import entry_points

    values = {entry.name: entry.value for entry in entry_points(group="pytest11")}
    assert values["pubsmith_sandbox"] == "pubsmith_sandbox.pytest_plugin"


def test_the_package_exports_its_public_names() -> None:
    assert sorted(pubsmith_sandbox.__all__) == [
        "Clock",
        "Faults",
        "ManualClock",
        "Sandbox",
        "SandboxConfig",
        "running_sandbox",
    ]
    for name in pubsmith_sandbox.__all__:
        assert getattr(pubsmith_sandbox, name) is not None


def test_running_sandbox_without_a_directory_cleans_up_after_itself() -> None:
    with pubsmith_sandbox.running_sandbox() as sandbox:
        data_dir = Path(sandbox.data_dir)
        assert httpx.get(f"{sandbox.url}/formats/").status_code == 200
        assert data_dir.is_dir()
    assert not data_dir.exists()
