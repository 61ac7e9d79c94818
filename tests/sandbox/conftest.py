"""Clients of the sandbox under test: authenticated, and plain as presigned URLs are used."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.http_clients import http_client

KEY = "test-key"


@pytest.fixture
def api(sandbox: SandboxFixture) -> Iterator[httpx.Client]:
    """An authenticated client of ``sandbox``."""
    with http_client(base_url=sandbox.url, headers={"X-Api-Key": KEY}, timeout=30) as client:
        yield client


@pytest.fixture
def plain() -> Iterator[httpx.Client]:
    """A client without credentials, as presigned upload URLs are meant to be used."""
    with http_client(timeout=30) as client:
        yield client
