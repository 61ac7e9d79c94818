"""``pubsmith sandbox`` (and ``pubsmith-sandbox``): serve a Cloudsmith-compatible API until
interrupted.
"""

from __future__ import annotations

import functools
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import ParamSpec, TypeVar

import click

from pubsmith_sandbox.clock import clock_named
from pubsmith_sandbox.config import DEFAULT_REPO, Faults, SandboxConfig
from pubsmith_sandbox.errors import SandboxError

__all__ = ["main", "sandbox_command"]

P = ParamSpec("P")
R = TypeVar("R")


def _one_line_errors(command: Callable[P, R]) -> Callable[P, R]:
    """A bad setting is one line on stderr and exit 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except SandboxError as exc:
            click.echo(f"error: {' '.join(str(exc).split())}", err=True)
            sys.exit(2)

    return wrapper


@click.command("sandbox")
@click.option(
    "--port", type=int, default=0, show_default=True, help="Port on 127.0.0.1; 0 picks a free one."
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the state (SQLite and files); a restart with it keeps everything. "
    "Default: a temporary directory, removed on exit.",
)
@click.option(
    "--repo",
    "repos",
    multiple=True,
    metavar="OWNER/REPO",
    help=f"A repository to serve (repeatable; default {DEFAULT_REPO}); more can be made "
    "through the Repos API.",
)
@click.option(
    "--api-key",
    envvar="PUBSMITH_SANDBOX_API_KEY",
    metavar="KEY",
    help="Accept only this key (env PUBSMITH_SANDBOX_API_KEY). Default: any non-empty key.",
)
@click.option(
    "--sync-seconds",
    type=float,
    default=0.5,
    show_default=True,
    help="How long a package takes to process.",
)
@click.option(
    "--clock",
    "clock_name",
    type=click.Choice(["real", "manual"]),
    default="real",
    show_default=True,
    help="manual: time stands still until POST URL/_sandbox/clock/ "
    '{"advance": SECONDS} moves it on (for tests).',
)
@click.option(
    "--rate-limit", type=int, help="Requests allowed per --rate-interval (default: no limit)."
)
@click.option(
    "--rate-interval",
    type=float,
    default=3600.0,
    show_default=True,
    help="Length of the rate-limit window in seconds.",
)
@click.option(
    "--error-rate", type=float, default=0.0, help="Fraction of requests answered 500/502/503."
)
@click.option(
    "--reset-before-rate",
    type=float,
    default=0.0,
    help="Fraction of connections reset before the request is processed.",
)
@click.option(
    "--reset-after-rate",
    type=float,
    default=0.0,
    help="Fraction of connections reset after the request was processed.",
)
@click.option("--latency-ms", type=int, default=0, help="Latency added to every request.")
@click.option(
    "--fail-processing-rate",
    type=float,
    default=0.0,
    help="Fraction of packages that fail processing.",
)
@click.option(
    "--fail-processing",
    "fail_globs",
    multiple=True,
    metavar="NAME_GLOB",
    help="Packages whose name or filename matches fail processing (repeatable).",
)
@click.option("--seed", type=int, help="Seed for the fault RNG, to repeat a run.")
@click.option(
    "--bandwidth",
    type=click.FloatRange(min=0, min_open=True),
    metavar="MIB_PER_S",
    help="Shape every upload body to this many MiB/s in all (default: unlimited).",
)
@_one_line_errors
def sandbox_command(
    port: int,
    data_dir: Path | None,
    repos: tuple[str, ...],
    api_key: str | None,
    sync_seconds: float,
    clock_name: str,
    rate_limit: int | None,
    rate_interval: float,
    error_rate: float,
    reset_before_rate: float,
    reset_after_rate: float,
    latency_ms: int,
    fail_processing_rate: float,
    fail_globs: tuple[str, ...],
    seed: int | None,
    bandwidth: float | None,
) -> None:
    """Serve a local Cloudsmith-compatible API; prints its base URL, then runs until stopped.

    Point any client at the URL (the official CLI with --api-host URL -k KEY works too);
    GET URL/_sandbox/state shows what it saw, POST URL/_sandbox/config changes faults.
    With --clock manual, POST URL/_sandbox/clock/ {"advance": SECONDS} moves time on.
    """
    from pubsmith_sandbox.runner import running_sandbox  # the server's imports are heavy

    faults = Faults(
        error_rate=error_rate,
        reset_before_rate=reset_before_rate,
        reset_after_rate=reset_after_rate,
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        rate_interval=rate_interval,
        fail_processing_rate=fail_processing_rate,
        fail_processing=fail_globs,
        seed=seed,
        bandwidth=bandwidth,
    )
    config = SandboxConfig(
        data_dir=data_dir,
        repos=repos or (DEFAULT_REPO,),
        api_key=api_key,
        port=port,
        sync_seconds=sync_seconds,
        faults=faults,
        clock=clock_named(clock_name),
    )
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with running_sandbox(config) as sandbox:
            click.echo(sandbox.url)
            sys.stdout.flush()
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main() -> None:
    """The ``pubsmith-sandbox`` command: the same as ``pubsmith sandbox``."""
    sandbox_command.main(prog_name="pubsmith-sandbox")
