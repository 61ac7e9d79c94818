"""Typed outcomes of a publish, the same fields the CLI's ``--json`` prints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pubsmith.errors import PubsmithError

__all__ = ["PublishResult", "Status", "counts_line"]

Status = Literal["published", "skipped", "failed", "planned", "checked"]
"""``published`` by this run; ``skipped``: the repository already held it (``--skip-existing``);
``failed``; ``planned`` (``--dry-run``); ``checked``: the server validated it (``--check``)."""


@dataclass
class PublishResult:
    """What happened to one file.

    ``payload`` is the package upload body that was sent (or, for ``planned``, would be
    sent, with ``<upload:FILENAME>`` standing for identifiers not yet known). For a
    ``skipped`` package, ``slug_perm`` and ``slug`` name the package already there;
    :attr:`package` names it as the single-package commands take it.
    """

    file: str
    format: str | None = None
    name: str | None = None
    version: str | None = None
    status: Status = "planned"
    slug_perm: str | None = None
    slug: str | None = None
    error: str | None = None
    payload: dict[str, Any] | None = None
    promoted_to: str | None = None
    """``OWNER/REPO`` the package was promoted to (``publish --promote-to``), else None."""
    promoted_slug_perm: str | None = None
    repository: str | None = None
    """``OWNER/REPO`` published to."""
    web_url: str | None = None
    """The package's page in Cloudsmith's web app, when the API said where it is."""
    metadata: dict[str, Any] | None = None
    """What became of ``--metadata-file``: ``{"status": "attached", "slug_perm": ...}`` or
    ``{"status": "failed", "error": ...}``; None when none was to be attached."""
    exception: PubsmithError | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    @property
    def package(self) -> str | None:
        """``OWNER/REPO/SLUG_PERM``, what ``pubsmith status``, ``tag``, ``promote``... take."""
        if self.repository and self.slug_perm:
            return f"{self.repository}/{self.slug_perm}"
        return None

    @property
    def promoted_package(self) -> str | None:
        """The promoted copy as ``OWNER/REPO/SLUG_PERM``."""
        if self.promoted_to and self.promoted_slug_perm:
            return f"{self.promoted_to}/{self.promoted_slug_perm}"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "name": self.name,
            "version": self.version,
            "status": self.status,
            "slug_perm": self.slug_perm,
            "slug": self.slug,
            "error": self.error,
            "payload": self.payload,
            "promoted_to": self.promoted_to,
            "promoted_slug_perm": self.promoted_slug_perm,
            "package": self.package,
            "web_url": self.web_url,
            "promoted_package": self.promoted_package,
            "metadata": self.metadata,
        }


def counts_line(results: Sequence[PublishResult]) -> str:
    """``3 files: 2 published, 1 skipped``; ``1 file: ...`` for one."""
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    noun = "file" if len(results) == 1 else "files"
    return f"{len(results)} {noun}: {summary}" if summary else f"0 {noun}"
