from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pubsmith_sandbox import SandboxConfig
from pubsmith_sandbox.runner import Sandbox

KEY = "test-key"


@pytest.fixture
def sandbox_factory(tmp_path: Path) -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes with any config (fast processing by default); all closed afterwards."""
    started: list[Sandbox] = []

    def make(**overrides: Any) -> Sandbox:
        overrides.setdefault("data_dir", tmp_path / f"sandbox-{len(started)}")
        overrides.setdefault("sync_seconds", 0.05)
        sandbox = Sandbox(SandboxConfig(**overrides))
        sandbox.start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.close()


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Sandbox]) -> Sandbox:
    return sandbox_factory(repos=("acme/sandbox", "acme/other"))


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An authenticated client of ``sandbox``."""
    with httpx.Client(base_url=sandbox.url, headers={"X-Api-Key": KEY}, timeout=30) as client:
        yield client


@pytest.fixture
def plain() -> Iterator[httpx.Client]:
    """A client without credentials, as presigned upload URLs are meant to be used."""
    with httpx.Client(timeout=30) as client:
        yield client
