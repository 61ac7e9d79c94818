"""Publish results for GitHub Actions: a step-summary table and ``::error`` annotations."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from pubsmith._text import printable
from pubsmith.errors import ConfigError
from pubsmith.results import PublishResult, counts_line

__all__ = ["annotation_lines", "append_step_summary", "markdown_table"]

_ICONS = {"published": "✅", "skipped": "⏭️", "planned": "📝", "failed": "❌"}


def markdown_table(results: Sequence[PublishResult], *, title: str = "pubsmith publish") -> str:
    """A heading, a count line and one table row per result."""
    promoted = any(result.promoted_to for result in results)
    header = ["Status", "File", "Format", "Name", "Version", "Identifier"]
    if promoted:
        header.append("Promoted to")
    header.append("Error")
    lines = [
        f"### {title}",
        "",
        counts_line(results),
        "",
        _row(header),
        _row(["---"] * len(header)),
    ]
    for result in results:
        cells = [
            f"{_ICONS.get(result.status, '')} {result.status}".strip(),
            f"`{Path(result.file).name}`",
            result.format or "",
            result.name or "",
            result.version or "",
            f"`{result.slug_perm}`" if result.slug_perm else "",
        ]
        if promoted:
            cells.append(result.promoted_to or "")
        cells.append(result.error or "")
        lines.append(_row(cells))
    return "\n".join(lines) + "\n"


def append_step_summary(
    results: Sequence[PublishResult], environ: Mapping[str, str] | None = None
) -> Path | None:
    """Append :func:`markdown_table` to ``$GITHUB_STEP_SUMMARY``; None when it is unset."""
    env = os.environ if environ is None else environ
    target = env.get("GITHUB_STEP_SUMMARY", "").strip()
    if not target or not results:
        return None
    path = Path(target)
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(markdown_table(results) + "\n")
    except OSError as exc:
        raise ConfigError(
            f"cannot write the step summary to {path} ({exc.strerror or exc}); "
            "unset GITHUB_STEP_SUMMARY or fix the path"
        ) from None
    return path


def _row(cells: Sequence[str]) -> str:
    # A pipe would end the cell and a newline the row: both are escaped away, with any
    # other control character an artifact or the server put there.
    escaped = (printable(" ".join(cell.split())).replace("|", "\\|") for cell in cells)
    return "| " + " | ".join(escaped) + " |"


def annotation_lines(results: Sequence[PublishResult]) -> list[str]:
    """An ``::error file=FILE,title=...::MESSAGE`` workflow command per failed package.

    GitHub shows each on the run's summary and beside the file; a package whose metadata
    could not be attached gets a ``::warning``. Text is made printable (one line, so no
    CR or LF is left to escape), then ``%`` is escaped as the runner wants, and ``:`` and
    ``,`` in properties.
    """
    lines = []
    for result in results:
        if result.status == "failed":
            kind, message = "error", result.error or "failed"
        elif (result.metadata or {}).get("status") == "failed":
            kind = "warning"
            message = (
                f"published, but metadata not attached: {(result.metadata or {}).get('error')}"
            )
        else:
            continue
        title = f"pubsmith: {result.name or Path(result.file).name} not published"
        if kind == "warning":
            title = f"pubsmith: {result.name or Path(result.file).name} has no metadata"
        properties = f"file={_property(result.file)},title={_property(title)}"
        lines.append(f"::{kind} {properties}::{_data(message)}")
    return lines


def _data(text: str) -> str:
    return printable(text).replace("%", "%25")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
