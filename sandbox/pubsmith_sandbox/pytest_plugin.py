"""The ``cloudsmith_sandbox`` pytest fixture, for pubsmith's tests and for plugin authors.

Registered as the ``pubsmith_sandbox`` pytest11 entry point, so installing pubsmith with
its ``sandbox`` extra is enough. Loading it imports nothing heavy: the server, SQLite and the
Cloudsmith bindings are imported when a test first asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pubsmith_sandbox.runner import Sandbox

__all__ = ["SandboxFixture", "cloudsmith_sandbox"]

OWNER = "acme"
REPO = "sandbox"
API_KEY = "sandbox-key"


@dataclass(frozen=True)
class SandboxFixture:
    """A running sandbox serving ``owner/repo`` at ``url``, accepting only ``api_key``."""

    url: str
    api_key: str
    owner: str
    repo: str
    data_dir: Path
    sandbox: Sandbox

    @property
    def repo_slug(self) -> str:
        return f"{self.owner}/{self.repo}"

    def state(self) -> dict[str, Any]:
        """Request counts, packages by status, uploads, credentials seen, faults injected."""
        return self.sandbox.state()

    def configure(self, **changes: Any) -> dict[str, Any]:
        """Switch faults on or off (``error_rate=0.5``, ``rate_limit=3``, ...) while running."""
        return self.sandbox.configure(**changes)

    def mint_oidc_token(self, subject: str = "sandbox-test", **claims: Any) -> str:
        return self.sandbox.mint_oidc_token(subject, **claims)


@pytest.fixture
def cloudsmith_sandbox(tmp_path: Path) -> Iterator[SandboxFixture]:
    """A fresh sandbox for one test: repository acme/sandbox, API key ``sandbox-key``."""
    from pubsmith_sandbox.config import SandboxConfig
    from pubsmith_sandbox.runner import running_sandbox

    data_dir = tmp_path / "cloudsmith-sandbox"
    config = SandboxConfig(data_dir=data_dir, repos=(f"{OWNER}/{REPO}",), api_key=API_KEY)
    with running_sandbox(config) as sandbox:
        yield SandboxFixture(sandbox.url, API_KEY, OWNER, REPO, data_dir, sandbox)
