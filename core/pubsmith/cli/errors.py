"""Turn pubsmith's errors into one line on stderr and the matching exit code."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from pubsmith._text import printable
from pubsmith.cli.exit_codes import exit_code_for_error
from pubsmith.errors import PubsmithError

__all__ = ["echo_error", "echo_warning", "handle_errors"]

P = ParamSpec("P")
R = TypeVar("R")


def echo_error(message: str) -> None:
    # One line per problem, whatever a file name, an artifact or the server put in it:
    # a newline or an escape sequence is shown, never acted on.
    click.echo(f"error: {printable(message)}", err=True)


def echo_warning(message: str) -> None:
    click.echo(f"warning: {printable(message)}", err=True)


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Print a ``PubsmithError`` as one line and exit with its code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except PubsmithError as exc:
            for problem in getattr(exc, "errors", None) or [exc]:
                echo_error(str(problem))
            sys.exit(exit_code_for_error(exc))
        except KeyboardInterrupt:
            echo_error("interrupted")
            sys.exit(130)

    return wrapper
