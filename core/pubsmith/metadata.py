"""Supply-chain metadata (an SBOM, build info, provenance) attached to packages as published.

The same v2 endpoints Cloudsmith's CLI 1.30.0 uses for ``--metadata-content-file``: the
content is checked locally (a JSON object, a content type), then by the server
(``POST /v2/metadata/validate/``) before any file is uploaded, and attached
(``POST /v2/metadata/packages/{slug_perm}/``) once each package exists. A failed attach
is that package's to report: the package stays published.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pubsmith._text import printable
from pubsmith._version import __version__
from pubsmith.errors import ConfigError, PubsmithError, ValidationError

if TYPE_CHECKING:
    from pubsmith.client import CloudsmithClient

__all__ = [
    "DEFAULT_SOURCE_IDENTITY",
    "MAX_METADATA_SIZE",
    "Metadata",
    "attach",
    "check_with_server",
]

log = logging.getLogger("pubsmith.metadata")

MAX_METADATA_SIZE = 16 * 1024 * 1024
"""Larger than any SBOM worth attaching; a bigger file is refused rather than read."""
DEFAULT_SOURCE_IDENTITY = f"pubsmith@{__version__}"
_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*$")


@dataclass(frozen=True)
class Metadata:
    """One metadata document and how to describe it to the API."""

    content: Mapping[str, Any] = field(repr=False)
    content_type: str
    """Its media type, which picks the schema the server checks it against, such as
    ``application/vnd.cyclonedx+json``."""
    source_identity: str = DEFAULT_SOURCE_IDENTITY
    source: str = "inline"
    """Where it was read from, for messages."""

    @classmethod
    def load(
        cls, path: Path | str, content_type: str | None, source_identity: str | None = None
    ) -> Metadata:
        """Read ``path``: a JSON object of at most :data:`MAX_METADATA_SIZE` bytes.

        Raises :class:`ConfigError` naming the file and the fix for a missing or unreadable
        file, one too large, content that is not a JSON object, or a missing content type.
        """
        path = Path(path)
        where = f"--metadata-file {printable(str(path))}"
        if not content_type or not _CONTENT_TYPE.match(content_type.strip()):
            shown = f" (not {printable(content_type)!r})" if content_type else ""
            raise ConfigError(
                f"{where} needs --metadata-type, the content's media type{shown}, such as "
                "application/vnd.cyclonedx+json or application/spdx+json"
            )
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_METADATA_SIZE + 1)
        except OSError as exc:
            raise ConfigError(f"{where}: cannot read ({exc.strerror or exc})") from None
        if len(raw) > MAX_METADATA_SIZE:
            raise ConfigError(
                f"{where}: larger than {MAX_METADATA_SIZE // 1024**2} MiB; "
                "attach a smaller document"
            )
        try:
            content = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            problem = printable(str(exc), 120)
            raise ConfigError(f"{where}: not valid JSON ({problem}); fix the file") from None
        if not isinstance(content, dict):
            raise ConfigError(f"{where}: metadata must be a JSON object, not {_json_type(content)}")
        identity = (source_identity or "").strip() or DEFAULT_SOURCE_IDENTITY
        return cls(content, content_type.strip(), identity, str(path))


def check_with_server(client: CloudsmithClient, metadata: Metadata) -> None:
    """Have the server check ``metadata`` against its content type's schema.

    Raises :class:`ConfigError` (bad input: nothing is uploaded) when it is refused.
    """
    try:
        client.validate_metadata(metadata.content, metadata.content_type)
    except ValidationError as exc:
        detail = exc.detail or "refused"
        fields = "; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in exc.fields.items())
        reason = f"{detail} [{fields}]" if fields else detail
        raise ConfigError(
            f"--metadata-file {metadata.source}: the server refused it as "
            f"{metadata.content_type} ({reason}); fix the content or --metadata-type"
        ) from None


def attach(client: CloudsmithClient, package_slug_perm: str, metadata: Metadata) -> dict[str, Any]:
    """Attach ``metadata`` to a package and say how it went, never raising for the API.

    ``{"status": "attached", "slug_perm": ...}`` or ``{"status": "failed", "error": ...}``:
    the package is published either way, and a failure is reported with it.
    """
    try:
        entry = client.attach_metadata(
            package_slug_perm,
            metadata.content,
            content_type=metadata.content_type,
            source_identity=metadata.source_identity,
        )
    except PubsmithError as exc:
        log.info("metadata not attached to %s: %s", package_slug_perm, exc)
        return {"status": "failed", "slug_perm": None, "error": str(exc)}
    slug = entry.get("slug_perm")
    return {
        "status": "attached",
        "slug_perm": slug if isinstance(slug, str) else None,
        "error": None,
    }


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"
