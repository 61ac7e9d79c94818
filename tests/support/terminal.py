"""Running ``pubsmith`` with stderr on a pseudo-terminal: what a person at a terminal sees."""

from __future__ import annotations

import os
import pty
import select
import subprocess
from collections.abc import Sequence

from tests.support.cli import Env, start_pubsmith

__all__ = ["on_a_terminal"]


def on_a_terminal(args: Sequence[str], env: Env) -> tuple[int, str, str]:
    """``pubsmith ARGS`` with stderr on a pseudo-terminal: the exit code, stdout and screen.

    stdout stays a pipe, so that ``--json`` can be read apart from what the terminal shows.
    """
    controller, terminal = pty.openpty()
    process = start_pubsmith(*args, env=env, stderr=terminal, stdin=subprocess.DEVNULL)
    os.close(terminal)
    screen = bytearray()
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closes with the process
            break
        if not chunk:
            break
        screen += chunk
    os.close(controller)
    assert process.stdout is not None
    stdout = process.stdout.read()
    process.stdout.close()
    code = process.wait(timeout=60)
    return code, stdout, screen.decode("utf-8", "replace")
