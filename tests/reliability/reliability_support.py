"""Running ``pubsmith`` as a user would, and reading back what a sandbox ended up holding."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from pubsmith_sandbox.runner import Sandbox

__all__ = ["calm", "error_lines", "pubsmith", "stored_packages"]

QUIET = {
    "error_rate": 0.0,
    "reset_before_rate": 0.0,
    "reset_after_rate": 0.0,
    "latency_ms": 0,
    "rate_limit": None,
}


def pubsmith(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    prefix: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """``python -m pubsmith ARGS`` with ``env`` over a copy of this process's environment.

    The pubsmith-related variables of the developer's shell are removed first, so only
    what a test sets reaches the command. ``prefix`` runs it through another command.
    """
    base = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CLOUDSMITH_", "PUBSMITH_"))
    }
    return subprocess.run(
        [*prefix, sys.executable, "-m", "pubsmith", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def calm(sandbox: Sandbox) -> None:
    """Switch every request fault off, so a test can read the sandbox reliably."""
    sandbox.configure(**QUIET)


def stored_packages(sandbox: Sandbox, repo: str, key: str) -> list[dict[str, Any]]:
    """Every package of ``repo``, read over the API with faults switched off."""
    calm(sandbox)
    packages: list[dict[str, Any]] = []
    with httpx.Client(base_url=sandbox.url, headers={"X-Api-Key": key}) as api:
        page = 1
        while True:
            response = api.get(f"/packages/{repo}/", params={"page": page, "page_size": 100})
            response.raise_for_status()
            batch = response.json()
            packages += batch
            if len(batch) < 100:
                return packages
            page += 1


def error_lines(stderr: str) -> Sequence[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]
