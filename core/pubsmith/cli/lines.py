"""The lines both displays print: a result, a pause, what a stage is called, in what colour.

Every name, version, file name and server text is passed through
:func:`~pubsmith._text.printable`, so an artifact or a server can neither send escape
sequences to the terminal nor forge a line of its own.
"""

from __future__ import annotations

from pubsmith._text import printable
from pubsmith.events import Retrying, Throttled
from pubsmith.results import PublishResult

__all__ = ["format_result", "pause_line", "stage_word", "status_colour"]

# What each stage is called on screen; "queued" and "done" are not shown as lines.
_WORDS: dict[str, str] = {
    "preflight": "checking",
    "transfer": "uploading",
    "create": "creating",
    "await": "processing",
    "promote": "promoting",
}
_COLOURS = {"published": "green", "skipped": "yellow", "failed": "red", "checked": "cyan"}


def status_colour(status: str) -> str | None:
    return _COLOURS.get(status)


def stage_word(stage: str) -> str | None:
    """What a stage is called on screen, or None for stages not shown."""
    return _WORDS.get(stage)


def pause_line(event: Retrying | Throttled) -> str:
    """Why nothing happens for a while: a retry after a failure, or the rate limit."""
    if isinstance(event, Retrying):
        return (
            f"retrying  {printable(event.operation)} after {printable(event.reason)}: "
            f"attempt {event.attempt} of {event.attempts} in {event.delay:.1f} s"
        )
    return f"waiting   {event.delay:.1f} s for the API's rate limit"


def format_result(result: PublishResult) -> str:
    """One line for one result, whatever its name, version or error holds.

    A published or skipped package is named as ``OWNER/REPO/SLUG_PERM``, which the
    single-package commands take, and by its web page when the API gave one.
    """
    identity = " ".join(part for part in (result.format, result.name, result.version) if part)
    line = f"{result.status:<10} {result.file}"
    if identity:
        line += f"  [{identity}]"
    if result.package:
        line += f"  {result.package}"
    elif result.slug_perm:
        line += f"  slug_perm={result.slug_perm}"
    if result.promoted_package:
        line += f"  promoted to {result.promoted_package}"
    if result.web_url and result.ok:
        line += f"  {result.web_url}"
    if result.metadata and result.metadata.get("status") == "failed":
        line += f"  metadata not attached: {result.metadata.get('error')}"
    if result.error:
        line += f"  error: {result.error}"
    return printable(line)
