"""Human output on stderr: a live status line on a terminal, plain lines elsewhere.

Every name, version, file name and server text is passed through
:func:`~pubsmith._text.printable` on its way out, so an artifact or a server can neither
send escape sequences to the terminal nor forge a line of its own.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Sequence
from typing import TextIO

import click

from pubsmith._text import printable
from pubsmith.results import Progress, PublishResult

__all__ = ["ProgressDisplay", "format_result", "render_summary"]

_REFRESH_SECONDS = 0.1


class ProgressDisplay:
    """Receives progress from worker threads and shows it.

    On a terminal one line is redrawn (bytes while uploading, state while processing);
    otherwise only stage changes are printed, one plain line each, so CI logs stay short.
    """

    def __init__(
        self, total_files: int, *, stream: TextIO | None = None, live: bool | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.total_files = total_files
        self._lock = threading.Lock()
        self._latest: dict[str, Progress] = {}
        self._done = 0
        self._last_draw = 0.0

    def __call__(self, event: Progress) -> None:
        with self._lock:
            previous = self._latest.get(event.file)
            self._latest[event.file] = event
            if event.stage == "done":
                self._done += 1
            if self.live:
                self._draw(force=event.stage == "done")
            elif (previous is None or previous.stage != event.stage) and event.stage not in (
                "done",
                "hashing",
            ):
                detail = f" ({printable(event.detail)})" if event.detail else ""
                click.echo(f"{event.stage:<10} {printable(event.file)}{detail}", file=self.stream)

    def close(self) -> None:
        if self.live:
            click.echo("\r\x1b[2K", nl=False, file=self.stream, color=True)

    def _draw(self, *, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._last_draw < _REFRESH_SECONDS:
            return
        self._last_draw = now
        active = [event for event in self._latest.values() if event.stage != "done"]
        parts = [f"[{self._done}/{self.total_files} done]"]
        for event in active[:3]:
            name = printable(event.file.rsplit("/", 1)[-1])
            if event.stage == "uploading" and event.total:
                parts.append(f"{name} {100 * event.sent // event.total}%")
            else:
                parts.append(f"{name} {printable(event.detail or event.stage)}")
        if len(active) > 3:
            parts.append(f"+{len(active) - 3} more")
        width = shutil.get_terminal_size().columns
        line = "  ".join(parts)[: max(20, width - 1)]
        click.echo(f"\r\x1b[2K{line}", nl=False, file=self.stream, color=True)


def format_result(result: PublishResult) -> str:
    """One line for one result, whatever its name, version or error holds."""
    identity = " ".join(part for part in (result.format, result.name, result.version) if part)
    line = f"{result.status:<10} {result.file}"
    if identity:
        line += f"  [{identity}]"
    if result.slug_perm:
        line += f"  slug_perm={result.slug_perm}"
    if result.error:
        line += f"  error: {result.error}"
    return printable(line)


def render_summary(results: Sequence[PublishResult], stream: TextIO | None = None) -> None:
    out = stream or sys.stderr
    for result in results:
        click.echo(format_result(result), file=out)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    click.echo(f"{len(results)} files: {summary}", file=out)
