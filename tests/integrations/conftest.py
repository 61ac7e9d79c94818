"""A clean environment for the tool subprocesses of the integration tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


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
