"""Typed outcomes of a publish, the same fields the CLI's ``--json`` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pubsmith.errors import PubsmithError

__all__ = ["PublishResult", "Status"]

Status = Literal["published", "skipped", "failed", "planned", "checked"]
"""``published`` by this run; ``skipped``: the repository already held it (``--skip-existing``);
``failed``; ``planned`` (``--dry-run``); ``checked``: the server validated it (``--check``)."""


@dataclass
class PublishResult:
    """What happened to one file.

    ``payload`` is the package upload body that was sent (or, for ``planned``, would be
    sent, with ``<upload:FILENAME>`` standing for identifiers not yet known). For a
    ``skipped`` package, ``slug_perm`` and ``slug`` name the package already there.
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
    exception: PubsmithError | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status != "failed"

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
        }
