"""Clients of the sandbox under test: authenticated, and plain as presigned URLs are used."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFixture

KEY = "test-key"


@pytest.fixture
def api(sandbox: SandboxFixture) -> Iterator[httpx.Client]:
    """An authenticated client of ``sandbox``."""
    with httpx.Client(base_url=sandbox.url, headers={"X-Api-Key": KEY}, timeout=30) as client:
        yield client


@pytest.fixture
def plain() -> Iterator[httpx.Client]:
    """A client without credentials, as presigned upload URLs are meant to be used."""
    with httpx.Client(timeout=30) as client:
        yield client
