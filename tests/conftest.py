from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from pubsmith.registry import FormatRegistry
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.catalog import FIXTURES

# pytester runs pytest inside a test: how the cloudsmith_sandbox marker is checked.
pytest_plugins = ("pytester",)

# Variables besides CLOUDSMITH_* that change what pubsmith (or the sandbox) does.
_AMBIENT = (
    "PUBSMITH_SANDBOX_API_KEY",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
)


@pytest.fixture(scope="session")
def registry() -> FormatRegistry:
    return FormatRegistry.load()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def sandbox(cloudsmith_sandbox: SandboxFixture) -> SandboxFixture:
    """The public ``cloudsmith_sandbox`` fixture, under the short name the tests use.

    Set up like it, with ``@pytest.mark.cloudsmith_sandbox(...)``; a test that needs more
    than one sandbox, or a sandbox restarted, uses ``cloudsmith_sandbox_factory``.
    """
    return cloudsmith_sandbox


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Resume state lives in the user cache; tests must neither read nor leave any there.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def _private_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Settings are read from the user's files and keyring; tests see only what they write.
    # Cloudsmith's CLI insists that its files exist, so they are empty rather than absent.
    home = tmp_path_factory.mktemp("config")
    for name in ("config.ini", "credentials.ini"):
        (home / name).touch()
    # Every Cloudsmith setting of the developer's shell or CI, and whatever would make
    # pubsmith ask GitHub Actions for an OIDC token, goes; subprocesses inherit the rest.
    for name in list(os.environ):
        if name.startswith("CLOUDSMITH_") or name in _AMBIENT:
            monkeypatch.delenv(name)
    monkeypatch.setenv("PUBSMITH_CONFIG", str(home / "pubsmith.toml"))
    monkeypatch.setenv("CLOUDSMITH_CONFIG_FILE", str(home / "config.ini"))
    monkeypatch.setenv("CLOUDSMITH_CREDENTIALS_FILE", str(home / "credentials.ini"))
    monkeypatch.setenv("PUBSMITH_KEYRING", "0")


PluginInstaller = Callable[[str, Mapping[str, str], Mapping[str, str]], Path]


@pytest.fixture
def plugin_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PluginInstaller]:
    """Install distributions on sys.path: ``install(name, {module: source}, {entry: module})``.

    Each is a real installed distribution (a ``.dist-info`` with entry points), so its
    ``pubsmith.formats`` entry points load like any other plugin's.
    """
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    installed: list[str] = []

    def install(name: str, modules: Mapping[str, str], entry_points: Mapping[str, str]) -> Path:
        dist_info = site / f"{name.replace('-', '_')}-1.0.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        lines = "\n".join(f"{key} = {value}" for key, value in entry_points.items())
        (dist_info / "entry_points.txt").write_text(f"[pubsmith.formats]\n{lines}\n")
        for module, source in modules.items():
            (site / f"{module}.py").write_text(textwrap.dedent(source))
            installed.append(module)
        return site

    yield install
    for module in installed:
        sys.modules.pop(module, None)
