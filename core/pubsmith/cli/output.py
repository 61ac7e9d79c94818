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
from pubsmith.events import Event, Finished, Retrying, StageChanged, Throttled, Transferred
from pubsmith.results import PublishResult

__all__ = ["ProgressDisplay", "format_result", "render_summary"]

_REFRESH_SECONDS = 0.1


# What each stage is called on screen; "queued" and "done" are not shown as lines.
_WORDS: dict[str, str] = {
    "preflight": "checking",
    "transfer": "uploading",
    "create": "creating",
    "await": "processing",
    "promote": "promoting",
}


class ProgressDisplay:
    """Receives a run's :mod:`pubsmith.events` from worker threads and shows them.

    On a terminal one line is redrawn (bytes while uploading, state while processing);
    otherwise only stage changes are printed, one plain line each, so CI logs stay short.
    Retries and rate-limit pauses are printed as lines of their own either way.
    """

    def __init__(
        self, total_files: int, *, stream: TextIO | None = None, live: bool | None = None
    ) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.total_files = total_files
        self._lock = threading.Lock()
        self._stages: dict[str, StageChanged] = {}
        self._bytes: dict[str, Transferred] = {}
        self._done = 0
        self._last_draw = 0.0

    def __call__(self, event: Event) -> None:
        with self._lock:
            if isinstance(event, StageChanged):
                self._stage(event)
            elif isinstance(event, Transferred):
                self._bytes[event.file] = event
                if self.live:
                    self._draw(force=False)
            elif isinstance(event, Finished):
                self._done += 1
                if self.live:
                    self._draw(force=True)
            elif isinstance(event, Retrying):
                self._line(
                    f"retrying  {printable(event.operation)} after {printable(event.reason)}: "
                    f"attempt {event.attempt} of {event.attempts} in {event.delay:.1f} s"
                )
            elif isinstance(event, Throttled):
                self._line(f"waiting   {event.delay:.1f} s for the API's rate limit")

    def close(self) -> None:
        if self.live:
            click.echo("\r\x1b[2K", nl=False, file=self.stream, color=True)

    def _stage(self, event: StageChanged) -> None:
        previous = self._stages.get(event.file)
        self._stages[event.file] = event
        if self.live:
            self._draw(force=False)
            return
        if previous is not None and previous.stage == event.stage:
            return
        if event.stage in _WORDS:
            detail = f" ({printable(event.detail)})" if event.detail else ""
            click.echo(
                f"{_WORDS[event.stage]:<10} {printable(event.file)}{detail}", file=self.stream
            )

    def _line(self, text: str) -> None:
        prefix = "\r\x1b[2K" if self.live else ""
        click.echo(f"{prefix}{text}", file=self.stream, color=True)
        if self.live:
            self._draw(force=True)

    def _draw(self, *, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._last_draw < _REFRESH_SECONDS:
            return
        self._last_draw = now
        active = [event for event in self._stages.values() if event.stage != "done"]
        parts = [f"[{self._done}/{self.total_files} done]"]
        for event in active[:3]:
            name = printable(event.file.rsplit("/", 1)[-1])
            sent = self._bytes.get(event.file)
            if event.stage == "transfer" and sent is not None and sent.total:
                parts.append(f"{name} {100 * sent.sent // sent.total}%")
            else:
                parts.append(
                    f"{name} {printable(event.detail or _WORDS.get(event.stage, event.stage))}"
                )
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
