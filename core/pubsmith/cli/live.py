"""The terminal display: a rich progress bar per active file, results printed above it.

Per file in flight: its name, a bar, bytes sent of the total, the rate and the time left;
once its bytes are out, its processing state in their place. A finished package prints
its result line above the display, as do retries, rate-limit pauses and log records
(stderr is redirected above the display while it runs, so ``-v`` lines never land inside
it). A header says how many packages are done, in flight and waiting. rich honours
``NO_COLOR`` and ``FORCE_COLOR`` itself; ``TERM=dumb`` never gets here
(:func:`~pubsmith.cli.output.make_display`).

This module imports rich: it is loaded only when a terminal display is used.
"""

from __future__ import annotations

import threading
from typing import TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text

from pubsmith._text import printable
from pubsmith.cli.lines import format_result, pause_line, stage_word, status_colour
from pubsmith.events import Event, Finished, Retrying, StageChanged, Throttled, Transferred

__all__ = ["LiveDisplay"]

_REFRESHES_PER_SECOND = 8


class LiveDisplay:
    """Shows a run's events on a terminal until :meth:`close`, which clears the display."""

    live = True

    def __init__(self, total_files: int, *, stream: TextIO, console: Console | None = None) -> None:
        self.total_files = total_files
        self.console = console or Console(file=stream, highlight=False, soft_wrap=False)
        self._progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(bar_width=24),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[state]}", markup=False),
            console=self.console,
            auto_refresh=False,
        )
        self._lock = threading.Lock()
        self._tasks: dict[str, TaskID] = {}
        self._checking: set[str] = set()
        self._queued: set[str] = set()
        self._done = 0
        self._live = Live(
            Group(_Header(self), self._progress),
            console=self.console,
            refresh_per_second=_REFRESHES_PER_SECOND,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=True,
        )
        self._live.start()

    def header(self) -> Text:
        parts = [f"{self._done} of {self.total_files} done", f"{len(self._tasks)} in flight"]
        if self._checking:
            parts.append(f"{len(self._checking)} being checked")
        if self._queued:
            parts.append(f"{len(self._queued)} waiting")
        return Text("pubsmith: " + ", ".join(parts), style="bold")

    def __call__(self, event: Event) -> None:
        with self._lock:
            if isinstance(event, StageChanged):
                self._stage(event)
            elif isinstance(event, Transferred):
                task = self._tasks.get(event.file)
                if task is not None:
                    self._progress.update(task, completed=event.sent, total=event.total or None)
            elif isinstance(event, Finished):
                self._finished(event)
            elif isinstance(event, (Retrying, Throttled)):
                self.console.print(Text(pause_line(event), style="yellow"), soft_wrap=True)

    def close(self) -> None:
        self._live.stop()

    def _stage(self, event: StageChanged) -> None:
        self._checking.discard(event.file)
        self._queued.discard(event.file)
        if event.stage in ("preflight", "queued"):
            (self._checking if event.stage == "preflight" else self._queued).add(event.file)
            return
        if event.stage == "done":
            return
        task = self._tasks.get(event.file)
        if task is None:
            name = printable(event.file.rsplit("/", 1)[-1], 40)
            task = self._progress.add_task(name, total=None, state="")
            self._tasks[event.file] = task
        word = stage_word(event.stage) or event.stage
        state = f"{word} ({printable(event.detail, 40)})" if event.detail else word
        self._progress.update(task, state=state)

    def _finished(self, event: Finished) -> None:
        result = event.result
        self._checking.discard(result.file)
        self._queued.discard(result.file)
        task = self._tasks.pop(result.file, None)
        if task is not None:
            self._progress.remove_task(task)
        self._done += 1
        line = Text(format_result(result), style=status_colour(result.status) or "")
        self.console.print(line, soft_wrap=True)  # one line, however wide: the terminal wraps


class _Header:
    """The line above the bars, rendered afresh at every refresh."""

    def __init__(self, display: LiveDisplay) -> None:
        self._display = display

    def __rich__(self) -> Text:
        return self._display.header()
