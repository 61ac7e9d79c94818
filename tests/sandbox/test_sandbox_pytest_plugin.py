"""The ``cloudsmith_sandbox`` fixture that pubsmith ships for plugin authors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

import pubsmith_sandbox
from pubsmith_sandbox import ManualClock
from pubsmith_sandbox.pytest_plugin import API_KEY, SandboxFactory, SandboxFixture
from tests.support.http_clients import http_client, http_get
from tests.support.sandbox_api import publish, wait_settled


def test_the_fixture_serves_acme_sandbox_with_its_key(
    cloudsmith_sandbox: SandboxFixture, plain: httpx.Client
) -> None:
    assert cloudsmith_sandbox.repo_slug == "acme/sandbox"
    assert cloudsmith_sandbox.api_key == "sandbox-key"
    with http_client(base_url=cloudsmith_sandbox.url) as anonymous:
        assert anonymous.get("/packages/acme/sandbox/").status_code == 401
    headers = {"X-Api-Key": cloudsmith_sandbox.api_key}
    with http_client(base_url=cloudsmith_sandbox.url, headers=headers) as api:
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
    # Not measured by coverage (make test measures subprocesses): it would load sqlite3.
    env = {name: value for name, value in os.environ.items() if not name.startswith("COVERAGE_")}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
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
        assert http_get(f"{sandbox.url}/formats/").status_code == 200
        assert data_dir.is_dir()
    assert not data_dir.exists()


@pytest.mark.cloudsmith_sandbox(
    repos=["acme/one", "acme/two"],
    api_key="marked-key",
    sync_seconds=0,
    clock="manual",
    faults={"rate_limit": 5},
)
def test_the_marker_sets_the_fixture_up(cloudsmith_sandbox: SandboxFixture) -> None:
    assert cloudsmith_sandbox.repos == ("acme/one", "acme/two")
    assert (cloudsmith_sandbox.owner, cloudsmith_sandbox.repo) == ("acme", "one")
    assert cloudsmith_sandbox.repo_slug == "acme/one"
    assert cloudsmith_sandbox.api_key == "marked-key"
    assert isinstance(cloudsmith_sandbox.clock, ManualClock)
    settings = cloudsmith_sandbox.configure()
    assert (settings["sync_seconds"], settings["rate_limit"]) == (0, 5)
    with http_client(base_url=cloudsmith_sandbox.url) as api:
        assert api.get("/packages/acme/two/", headers={"X-Api-Key": "marked-key"}).is_success
        assert api.get("/packages/acme/two/", headers={"X-Api-Key": API_KEY}).status_code == 401


@pytest.mark.cloudsmith_sandbox(api_key=None)
def test_without_a_key_any_key_works_and_the_fixture_still_names_one(
    cloudsmith_sandbox: SandboxFixture,
) -> None:
    assert cloudsmith_sandbox.api_key == API_KEY
    for key in (API_KEY, "anything"):
        answer = http_get(
            f"{cloudsmith_sandbox.url}/packages/acme/sandbox/", headers={"X-Api-Key": key}
        )
        assert answer.is_success


def test_the_factory_starts_more_and_restarts_one_on_its_data(
    cloudsmith_sandbox_factory: SandboxFactory, plain: httpx.Client, tmp_path: Path
) -> None:
    first = cloudsmith_sandbox_factory(data_dir=tmp_path / "kept", sync_seconds=0)
    second = cloudsmith_sandbox_factory(repos=["acme/other"])
    assert first.url != second.url
    assert first.data_dir == tmp_path / "kept" != second.data_dir
    assert second.repo_slug == "acme/other"
    headers = {"X-Api-Key": first.api_key}
    with http_client(base_url=first.url, headers=headers) as api:
        package = publish(api, plain, "raw", "kept.txt", b"kept\n")
        wait_settled(api, package["slug"])
    first.close()
    first.close()  # twice is harmless, and so is the factory closing it again
    again = cloudsmith_sandbox_factory(data_dir=tmp_path / "kept")
    listed = http_get(f"{again.url}/packages/acme/sandbox/", headers=headers).json()
    assert [item["slug"] for item in listed] == [package["slug"]]


_PRECEDENCE = """
import pytest

pytestmark = pytest.mark.cloudsmith_sandbox(repos=["acme/module"], sync_seconds=7)


class TestNearestWins:
    pytestmark = pytest.mark.cloudsmith_sandbox(sync_seconds=3, api_key="class-key")

    @pytest.mark.cloudsmith_sandbox(api_key="test-key")
    def test_it(self, cloudsmith_sandbox, cloudsmith_sandbox_factory):
        assert cloudsmith_sandbox.repos == ("acme/module",)
        assert cloudsmith_sandbox.api_key == "test-key"
        assert cloudsmith_sandbox.configure()["sync_seconds"] == 3
        other = cloudsmith_sandbox_factory(sync_seconds=1)
        assert (other.api_key, other.configure()["sync_seconds"]) == ("test-key", 1)


def test_module_settings(cloudsmith_sandbox):
    assert cloudsmith_sandbox.configure()["sync_seconds"] == 7
    assert cloudsmith_sandbox.api_key == "sandbox-key"
"""


def test_the_nearest_marker_wins_setting_by_setting(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_precedence=_PRECEDENCE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("colour='red'", "unknown setting colour; known: api_key, clock, data_dir, faults, *"),
        ("'fast'", "takes settings by name, as in *(sync_seconds=0), not ('fast',)"),
        ("clock='sundial'", "the clock is 'real' or 'manual', not 'sundial'"),
        ("repos='acme/one'", "repos is a list of OWNER/REPO strings, as in [[]'acme/one'[]]"),
        ("repos=['acme']", "repository 'acme' is not OWNER/REPO*"),
        ("faults={'error_rate': 2}", "fault error_rate must be a number from 0 to 1, not 2"),
        ("faults=0.5", "faults is a Faults or a mapping of its fields, not 0.5"),
        ("sync_seconds=-1", "sync_seconds must be >= 0, not -1"),
    ],
)
def test_a_bad_setting_is_one_clear_error(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    pytester.makepyfile(
        test_bad=f"""
        import pytest

        @pytest.mark.cloudsmith_sandbox({marker})
        def test_it(cloudsmith_sandbox):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*cloudsmith_sandbox*{message}*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.cloudsmith_sandbox(**settings): *"])
