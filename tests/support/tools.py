"""Driving the real hatch and Poetry (``make integrations``) and the official cloudsmith-cli
(``make peer``), and GitHub Actions' token service."""

from __future__ import annotations

import json
import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.catalog import FIXTURES, ROOT

__all__ = [
    "KEY",
    "PYTHON_FIXTURES",
    "REQUEST_TOKEN",
    "ROOT",
    "STAGING_AND_PROD",
    "FakeActionsRuntime",
    "peer_cli",
    "peer_env",
    "python_project",
    "tool",
]

PYTHON_FIXTURES = FIXTURES / "python"
KEY = "integration-key"
REQUEST_TOKEN = "actions-request-token"

STAGING_AND_PROD = pytest.mark.cloudsmith_sandbox(repos=["acme/staging", "acme/prod"], api_key=KEY)
"""The sandbox the hatch and Poetry tests publish to."""


def tool(variable: str, name: str, target: str = "integrations") -> str:
    """The executable ``variable`` names; fails saying how to install ``name`` without it.

    ``make TARGET`` installs it in ``.venv-NAME`` (``.venv-peer`` for the official CLI);
    ``make test`` installs them all and sets the variables.
    """
    executable = os.environ.get(variable)
    if not executable:
        pytest.fail(
            f"{variable} is not set: run `make {target}` to install {name} in its own "
            f"virtualenv, and point {variable} at its executable (`make test` does both)",
            pytrace=False,
        )
    if not Path(executable).is_file():
        message = f"{variable}={executable} is not a file: run `make {target}` again"
        pytest.fail(message, pytrace=False)
    return executable


def peer_cli() -> str:
    """The official ``cloudsmith`` executable, in its own virtualenv (its pins clash with ours)."""
    return tool("PUBSMITH_PEER_CLI", "cloudsmith-cli", target="peer")


def peer_env(home: Path) -> dict[str, str]:
    """The official CLI's environment: its own home (no configuration or key of the
    user's), no telemetry or update check."""
    return {
        **os.environ,
        "HOME": str(home),
        "DO_NOT_TRACK": "1",
        "CLOUDSMITH_NO_TELEMETRY": "1",
        "CLOUDSMITH_API_KEY": "",
    }


def python_project(root: Path, table: str = "") -> Path:
    """A small project whose dist/ holds the real acme-greeting wheel and sdist."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        '[project]\nname = "acme-greeting"\nversion = "1.2.0"\n\n' + table
    )
    dist = root / "dist"
    dist.mkdir()
    for artifact in PYTHON_FIXTURES.glob("acme_greeting-1.2.0*"):
        shutil.copy(artifact, dist / artifact.name)
    return root


class FakeActionsRuntime:
    """The GitHub Actions ID-token endpoint: checks the bearer token, records the audience."""

    def __init__(self, token: str, status: int = 200) -> None:
        self.token = token
        self.status = status
        self.requests: list[dict[str, Any]] = []
        runtime = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                runtime.requests.append(
                    {"query": query, "authorization": self.headers.get("Authorization")}
                )
                ok = self.headers.get("Authorization") == f"Bearer {REQUEST_TOKEN}"
                status = runtime.status if ok else 401
                body = json.dumps({"value": runtime.token} if status == 200 else {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/idtoken?api-version=2.0"
        # A short poll: shutdown() waits for the serving loop to notice (0.5 s by default).
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)

    def __enter__(self) -> FakeActionsRuntime:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
