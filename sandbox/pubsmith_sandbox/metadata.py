"""Package metadata (v2): SBOMs, build info and provenance attached to packages.

The endpoints Cloudsmith's CLI 1.30.0 calls for ``--metadata-content-file`` and
``cloudsmith metadata``: ``POST /v2/metadata/validate/`` checks a document against its
content type's schema and keeps nothing; ``/v2/metadata/packages/{slug_perm}/`` lists,
creates, reads, patches and deletes the entries of a package. Each content type is checked
for the fields its specification makes mandatory; an unknown one is refused (422).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pubsmith_sandbox.clock import Clock
from pubsmith_sandbox.db import Database
from pubsmith_sandbox.errors import HttpError, NotFound
from pubsmith_sandbox.records import new_identifier
from pubsmith_sandbox.serializers import timestamp

__all__ = ["CONTENT_TYPES", "MetadataStore", "check_metadata"]

Check = Callable[[Mapping[str, Any]], dict[str, list[str]]]


def _require(*fields: str, **equal: str) -> Check:
    def check(content: Mapping[str, Any]) -> dict[str, list[str]]:
        problems = {name: ["This field is required."] for name in fields if not content.get(name)}
        for name, value in equal.items():
            if content.get(name) != value:
                problems[name] = [f"Must be {value!r}."]
        return problems

    return check


def _in_toto(content: Mapping[str, Any]) -> dict[str, list[str]]:
    problems = _require("_type", "predicateType")(content)
    subject = content.get("subject")
    if not isinstance(subject, list) or not subject:
        problems["subject"] = ["Must be a non-empty list."]
    return problems


@dataclass(frozen=True)
class ContentType:
    classification: str
    check: Check


CONTENT_TYPES: dict[str, ContentType] = {
    "application/json": ContentType("generic", lambda content: {}),
    "application/vnd.cyclonedx+json": ContentType(
        "sbom", _require("specVersion", bomFormat="CycloneDX")
    ),
    "application/spdx+json": ContentType("sbom", _require("spdxVersion", "SPDXID", "name")),
    "application/vnd.jfrog.buildinfo+json": ContentType("provenance", _require("name", "number")),
    "application/vnd.in-toto+json": ContentType("provenance", _in_toto),
}


def check_metadata(body: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The body's ``content`` and ``content_type`` once both are valid; else a 422."""
    content, content_type = body.get("content"), body.get("content_type")
    if not isinstance(content_type, str) or not content_type:
        raise HttpError(422, "Invalid metadata.", {"content_type": ["This field is required."]})
    kind = CONTENT_TYPES.get(content_type.lower())
    if kind is None:
        known = ", ".join(sorted(CONTENT_TYPES))
        raise HttpError(
            422, "Invalid metadata.", {"content_type": [f"Unsupported; one of: {known}."]}
        )
    if not isinstance(content, dict):
        raise HttpError(422, "Invalid metadata.", {"content": ["Must be a JSON object."]})
    problems = kind.check(content)
    if problems:
        detail = f"The content does not conform to {content_type}."
        raise HttpError(422, detail, {f"content.{key}": value for key, value in problems.items()})
    return content, content_type.lower()


class MetadataStore:
    """Metadata entries in the sandbox's database, by package ``slug_perm``."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def create(self, package: str, body: Mapping[str, Any]) -> dict[str, Any]:
        content, content_type = check_metadata(body)
        identity = body.get("source_identity")
        if identity is not None and not isinstance(identity, str):
            raise HttpError(422, "Invalid metadata.", {"source_identity": ["Must be a string."]})
        slug = new_identifier()
        self._db.execute(
            "INSERT INTO metadata (slug_perm, package, content_type, classification, "
            "source_kind, source_identity, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                slug,
                package,
                content_type,
                CONTENT_TYPES[content_type].classification,
                "custom",
                identity or "",
                json.dumps(content),
                self._clock.now(),
            ),
        )
        return self.get(package, slug)

    def list(self, package: str) -> list[dict[str, Any]]:
        rows = self._db.rows(
            "SELECT * FROM metadata WHERE package = ? ORDER BY created_at, rowid", (package,)
        )
        return [_entry(row) for row in rows]

    def get(self, package: str, slug: str) -> dict[str, Any]:
        row = self._db.row(
            "SELECT * FROM metadata WHERE package = ? AND slug_perm = ?", (package, slug)
        )
        if row is None:
            raise NotFound(404, "Not found.")
        return _entry(row)

    def update(self, package: str, slug: str, body: Mapping[str, Any]) -> dict[str, Any]:
        entry = self.get(package, slug)
        if "content_type" in body and body["content_type"] != entry["content_type"]:
            raise HttpError(422, "Invalid metadata.", {"content_type": ["Cannot be changed."]})
        content = body.get("content", entry["content"])
        check_metadata({"content": content, "content_type": entry["content_type"]})
        identity = body.get("source_identity", entry["source_identity"])
        self._db.execute(
            "UPDATE metadata SET content = ?, source_identity = ? WHERE slug_perm = ?",
            (json.dumps(content), str(identity or ""), slug),
        )
        return self.get(package, slug)

    def delete(self, package: str, slug: str) -> None:
        self.get(package, slug)
        self._db.execute("DELETE FROM metadata WHERE slug_perm = ?", (slug,))

    def forget(self, package: str) -> None:
        """A deleted package's entries go with it."""
        self._db.execute("DELETE FROM metadata WHERE package = ?", (package,))


def _entry(row: Any) -> dict[str, Any]:
    return {
        "slug_perm": row["slug_perm"],
        "package": row["package"],
        "content_type": row["content_type"],
        "classification": row["classification"],
        "source_kind": row["source_kind"],
        "source_identity": row["source_identity"],
        "content": json.loads(row["content"]),
        "created_at": timestamp(row["created_at"]),
    }
