"""The official ``cloudsmith-cli`` as a test peer: where it is, and how it is run.

The CLI lives in its own virtualenv (its pins clash with ours): ``make peer`` builds it and
``make test`` sets ``PUBSMITH_PEER_CLI`` to its ``cloudsmith`` executable.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def peer_cli() -> str:
    cli = os.environ.get("PUBSMITH_PEER_CLI")
    if not cli:
        pytest.fail(
            "PUBSMITH_PEER_CLI is not set: run `make peer` to install cloudsmith-cli "
            "in .venv-peer and point PUBSMITH_PEER_CLI at its cloudsmith executable"
        )
    if not Path(cli).is_file():
        pytest.fail(f"PUBSMITH_PEER_CLI={cli} is not a file: run `make peer` again")
    return cli


def peer_env(home: Path) -> dict[str, str]:
    """The CLI's environment: its own home (no config or key of the user's), no telemetry."""
    return {
        **os.environ,
        "HOME": str(home),
        "DO_NOT_TRACK": "1",
        "CLOUDSMITH_NO_TELEMETRY": "1",
        "CLOUDSMITH_API_KEY": "",
    }
