"""Fixtures for integration tests: a sandbox, and a clean environment for tool subprocesses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pubsmith_sandbox import SandboxConfig, running_sandbox
from pubsmith_sandbox.runner import Sandbox
from tests.support.tools import KEY


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    config = SandboxConfig(
        data_dir=tmp_path / "sandbox",
        repos=("acme/staging", "acme/prod"),
        api_key=KEY,
        sync_seconds=0.05,
    )
    with running_sandbox(config) as running:
        yield running


@pytest.fixture
def tool_env(tmp_path: Path) -> dict[str, str]:
    """A clean environment for a tool subprocess: its own home, caches and configs."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("CLOUDSMITH_", "PUBSMITH_", "HATCH_", "POETRY_", "GITHUB_", "VIRTUAL_ENV", "PYTHON")
        )
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        PUBSMITH_KEYRING="0",
        NO_COLOR="1",
        TERM="dumb",
    )
    return env
