"""Human output on stderr: a live display on a terminal, plain lines anywhere else.

On a terminal (and ``TERM`` not ``dumb``) the display is :class:`pubsmith.cli.live.LiveDisplay`,
built on rich, which is imported only then. Anywhere else (a CI log, a pipe, a file) it is
:class:`PlainDisplay`: one line per stage change per package and, during a long transfer
or wait, a heartbeat line at most every 30 s, so a no-output watchdog never fires; no
escape codes unless ``FORCE_COLOR`` asks for colour.

Every name, version, file name and server text is passed through
:func:`~pubsmith._text.printable` on its way out, so an artifact or a server can neither
send escape sequences to the terminal nor forge a line of its own.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TextIO

import click

from pubsmith._text import printable
from pubsmith.cli.lines import format_result, pause_line, stage_word, status_colour
from pubsmith.events import Event, Finished, Retrying, StageChanged, Throttled, Transferred
from pubsmith.results import PublishResult, counts_line

__all__ = [
    "HEARTBEAT_SECONDS",
    "Display",
    "PlainDisplay",
    "colour_wanted",
    "format_bytes",
    "make_display",
    "render_summary",
]

HEARTBEAT_SECONDS = 30.0
"""The longest a plain display stays silent while a package is being sent or processed."""


class Display(Protocol):
    """Receives a run's events from worker threads; :meth:`close` ends it."""

    live: bool

    def __call__(self, event: Event) -> None: ...

    def close(self) -> None: ...


def make_display(total_files: int, stream: TextIO | None = None) -> Display:
    """The display for ``stream`` (default stderr): live on a terminal, plain elsewhere."""
    out = stream or sys.stderr
    if _is_terminal(out) and os.environ.get("TERM", "") not in ("dumb", "unknown"):
        from pubsmith.cli.live import LiveDisplay

        return LiveDisplay(total_files, stream=out)
    display = PlainDisplay(total_files, stream=out, colour=colour_wanted(out))
    display.start()
    return display


def colour_wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour by the usual conventions: ``NO_COLOR`` never, ``FORCE_COLOR`` always,
    ``TERM=dumb`` never, otherwise on a terminal only."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return env.get("TERM", "") != "dumb" and _is_terminal(stream)


def format_bytes(count: float) -> str:
    """Decimal units, as twine and rich show them: ``314.6 MB``."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if abs(count) < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class _Active:
    """What the plain display knows of one package on its way."""

    stage: StageChanged
    since: float
    """When its last line was printed."""
    entered: float = 0.0
    """When it entered its stage."""
    sent: int = 0
    total: int = 0
    sent_then: int = 0
    """Bytes out when its last line was printed, for the rate since."""


class PlainDisplay:
    """One plain line per stage change per package, and heartbeats while it is quiet.

    Retries and rate-limit pauses are lines of their own. A heartbeat says, at most every
    ``heartbeat`` seconds of silence about a package, how far its transfer is (bytes and
    rate) or how long it has been processing. :meth:`tick` prints those due; :meth:`start`
    runs it every second on a thread of its own. ``clock`` is injectable for tests.
    """

    live = False

    def __init__(
        self,
        total_files: int,
        *,
        stream: TextIO | None = None,
        colour: bool = False,
        clock: Callable[[], float] = time.monotonic,
        heartbeat: float = HEARTBEAT_SECONDS,
    ) -> None:
        self.stream = stream or sys.stderr
        self.total_files = total_files
        self.colour = colour
        self.clock = clock
        self.heartbeat = heartbeat
        self._lock = threading.Lock()
        self._active: dict[str, _Active] = {}
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, event: Event) -> None:
        with self._lock:
            if isinstance(event, StageChanged):
                self._stage(event)
            elif isinstance(event, Transferred):
                active = self._active.get(event.file)
                if active is not None:
                    active.sent, active.total = event.sent, event.total
            elif isinstance(event, (Retrying, Throttled)):
                self._echo(pause_line(event), "yellow")
            elif isinstance(event, Finished):
                self._active.pop(event.result.file, None)

    def start(self) -> None:
        """Print heartbeats from a background thread until :meth:`close`."""
        self._thread = threading.Thread(target=self._beat, name="pubsmith-heartbeat", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()

    def tick(self) -> None:
        """Print a heartbeat for each package quiet for ``heartbeat`` seconds or more."""
        now = self.clock()
        with self._lock:
            for file, active in self._active.items():
                if now - active.since < self.heartbeat:
                    continue
                line = self._progress_line(file, active, now)
                if line is not None:
                    self._echo(line)
                    active.since, active.sent_then = now, active.sent

    def _beat(self) -> None:
        while not self._stopped.wait(1.0):
            self.tick()

    def _stage(self, event: StageChanged) -> None:
        previous = self._active.get(event.file)
        if event.stage == "done":
            self._active.pop(event.file, None)
            return
        now = self.clock()
        if previous is not None and previous.stage.stage == event.stage:
            previous.stage = event  # a new server status: told by the next heartbeat
            return
        active = _Active(event, now, now)
        if previous is not None:
            active.sent, active.total = previous.sent, previous.total
        self._active[event.file] = active
        word = stage_word(event.stage)
        if word is not None:
            detail = f" ({printable(event.detail)})" if event.detail else ""
            self._echo(f"{word:<10} {printable(event.file)}{detail}")
            active.sent_then = active.sent

    def _progress_line(self, file: str, active: _Active, now: float) -> str | None:
        name = printable(file)
        if active.stage.stage == "transfer" and active.total:
            elapsed = max(now - active.since, 1e-9)
            rate = (active.sent - active.sent_then) / elapsed
            share = 100 * active.sent // active.total
            return (
                f"uploading  {name}  {format_bytes(active.sent)} of {format_bytes(active.total)}"
                f" ({share}%), {format_bytes(rate)}/s"
            )
        word = stage_word(active.stage.stage)
        if word is None:
            return None
        detail = f" ({printable(active.stage.detail)})" if active.stage.detail else ""
        return f"{word:<10} {name}{detail}, {now - active.entered:.0f} s so far"

    def _echo(self, line: str, colour: str | None = None) -> None:
        text = click.style(line, fg=colour) if colour and self.colour else line
        click.echo(text, file=self.stream, color=self.colour)


def render_summary(
    results: Sequence[PublishResult],
    stream: TextIO | None = None,
    *,
    lines: bool = True,
    colour: bool = False,
) -> None:
    """A line per result (unless ``lines`` is False: a live display showed them), then counts."""
    out = stream or sys.stderr
    if lines:
        for result in results:
            line = format_result(result)
            fg = status_colour(result.status) if colour else None
            click.echo(click.style(line, fg=fg) if fg else line, file=out, color=colour)
    click.echo(counts_line(results), file=out)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
