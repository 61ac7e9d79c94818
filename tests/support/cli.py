"""Running ``pubsmith``: in this process, or as its own process the way users run it.

Each sees the environment the test has (``tests/conftest.py`` gives every test private
configuration, cache and keyring settings, and removes the developer's Cloudsmith
variables), with ``env`` laid over it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from pubsmith.cli import cli

__all__ = ["error_lines", "invoke", "pubsmith", "start_pubsmith"]


def invoke(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
    """``pubsmith ARGS`` in this process through click's runner, stdout and stderr apart.

    Quick, and what coverage sees; a variable set to ``None`` in ``env`` is removed.
    """
    return CliRunner().invoke(cli, list(args), env=dict(env or {}))


def _command(args: Sequence[str], prefix: Sequence[str]) -> list[str]:
    return [*prefix, sys.executable, "-m", "pubsmith", *args]


def _environment(env: Mapping[str, str] | None) -> dict[str, str]:
    return {**os.environ, **(env or {})}


def pubsmith(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    prefix: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """``python -m pubsmith ARGS`` as its own process: real start-up, stdio and exit code.

    ``prefix`` runs it through another command (``setpriv ... --``).
    """
    return subprocess.run(
        _command(args, prefix),
        capture_output=True,
        text=True,
        env=_environment(env),
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def start_pubsmith(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    **popen: Any,
) -> subprocess.Popen[str]:
    """``python -m pubsmith ARGS`` started and left running, to stop or kill as a test needs.

    stdout and stderr are pipes unless ``popen`` says otherwise.
    """
    options: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen}
    return subprocess.Popen(
        _command(args, ()), text=True, env=_environment(env), cwd=cwd, **options
    )


def error_lines(stderr: str) -> list[str]:
    """The ``error:`` lines of a run's stderr."""
    return [line for line in stderr.splitlines() if line.startswith("error:")]
