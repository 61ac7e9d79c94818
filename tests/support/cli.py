"""Running ``pubsmith``: in this process, or as its own process the way users run it.

Each sees the environment the test has (``tests/conftest.py`` gives every test private
configuration, cache and keyring settings, and removes the developer's Cloudsmith
variables), with ``env`` laid over it; a variable set to ``None`` in ``env`` is removed.
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

__all__ = ["error_lines", "invoke", "pubsmith", "pubsmith_bytes", "start_pubsmith"]

Env = Mapping[str, "str | None"]


def invoke(*args: str, env: Env | None = None) -> Result:
    """``pubsmith ARGS`` in this process through click's runner, stdout and stderr apart.

    Quick, and what coverage sees.
    """
    return CliRunner().invoke(cli, list(args), env=dict(env or {}))


def _command(args: Sequence[str | bytes], prefix: Sequence[str]) -> list[str | bytes]:
    return [*prefix, sys.executable, "-m", "pubsmith", *args]


def _environment(env: Env | None) -> dict[str, str]:
    laid = {**os.environ, **(env or {})}
    return {name: value for name, value in laid.items() if value is not None}


def _run(
    args: Sequence[str | bytes],
    env: Env | None,
    cwd: Path | None,
    timeout: float,
    prefix: Sequence[str],
    *,
    text: bool,
) -> subprocess.CompletedProcess[Any]:
    return subprocess.run(
        _command(args, prefix),
        capture_output=True,
        text=text,
        env=_environment(env),
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def pubsmith(
    *args: str,
    env: Env | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    prefix: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """``python -m pubsmith ARGS`` as its own process: real start-up, stdio and exit code.

    ``prefix`` runs it through another command (``setpriv ... --``).
    """
    return _run(args, env, cwd, timeout, prefix, text=True)


def pubsmith_bytes(
    *args: str | bytes,
    env: Env | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[bytes]:
    """:func:`pubsmith`, with arguments and output as bytes, as a shell passes and reads them.

    For what is not text in any encoding: a file name in Latin-1, an option ending in 0xff.
    """
    return _run(args, env, cwd, timeout, (), text=False)


def start_pubsmith(
    *args: str,
    env: Env | None = None,
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
