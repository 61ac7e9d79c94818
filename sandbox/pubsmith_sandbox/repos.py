"""Repositories: those given with ``--repo`` and those made through the Repos API.

Each is a row of ``repos``: its namespace (owner), slug (``name``), slug_perm, settings
(the RepositoryCreateRequest fields, as a JSON object) and when it was made and deleted.
Deleting is soft, as on Cloudsmith: its packages and their files go at once, and the slug
stays taken. A namespace is the owner of any repository the sandbox has had; creating a
repository in a new one makes it, as if the key's user owned that organisation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pubsmith_sandbox.clock import Clock
from pubsmith_sandbox.config import SLUG
from pubsmith_sandbox.db import Database
from pubsmith_sandbox.errors import BadRequest, NotFound
from pubsmith_sandbox.records import new_identifier
from pubsmith_sandbox.uploads import UploadService
from pubsmith_sandbox.validation import INVALID_BODY, model_defaults

__all__ = ["RepoRecord", "RepoService", "RepoStats"]

_NOT_FOUND = "Not found."
# The slug and distributes pattern of the OpenAPI description (Django's slug).
_API_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_SLUG_MESSAGE = 'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'
_NULLABLE = {"open_source_license", "open_source_project_url"}


@dataclass(frozen=True)
class RepoRecord:
    owner: str
    slug: str
    slug_perm: str
    settings: dict[str, Any]
    """The writable fields: name, description, repository_type_str and the rest."""
    created_at: float


@dataclass(frozen=True)
class RepoStats:
    packages: int = 0
    groups: int = 0
    """Distinct package names: what Cloudsmith calls package groups."""
    size: int = 0


class RepoService:
    def __init__(
        self,
        db: Database,
        uploads: UploadService,
        configured: Sequence[tuple[str, str]],
        clock: Clock,
    ) -> None:
        self._db = db
        self._uploads = uploads
        self._clock = clock
        self._serve(configured)

    def exists(self, owner: str, slug: str) -> bool:
        row = self._db.row(
            "SELECT 1 FROM repos WHERE owner = ? AND name = ? AND deleted_at IS NULL",
            (owner, slug),
        )
        return row is not None

    def get(self, owner: str, identifier: str) -> RepoRecord:
        """A live repository by slug or slug_perm; 404 otherwise."""
        row = self._db.row(
            "SELECT * FROM repos WHERE owner = ? AND (name = ? OR slug_perm = ?) "
            "AND deleted_at IS NULL ORDER BY name = ? DESC LIMIT 1",
            (owner, identifier, identifier, identifier),
        )
        if row is None:
            raise NotFound(404, _NOT_FOUND)
        return _record(row)

    def namespaces(self) -> set[str]:
        return {row["owner"] for row in self._db.rows("SELECT DISTINCT owner FROM repos")}

    def listed(self, owner: str | None = None) -> list[RepoRecord]:
        """Live repositories, oldest first: all of them, or a namespace's (404 if unknown)."""
        if owner is None:
            rows = self._db.rows("SELECT * FROM repos WHERE deleted_at IS NULL ORDER BY rowid")
        elif owner in self.namespaces():
            rows = self._db.rows(
                "SELECT * FROM repos WHERE owner = ? AND deleted_at IS NULL ORDER BY rowid",
                (owner,),
            )
        else:
            raise NotFound(404, _NOT_FOUND)
        return [_record(row) for row in rows]

    def stats(self) -> dict[tuple[str, str], RepoStats]:
        """Package counts and sizes of every repository that has packages."""
        rows = self._db.rows(
            "SELECT owner, repo, COUNT(*) AS packages, COUNT(DISTINCT name) AS groups, "
            "COALESCE(SUM(size), 0) AS size FROM packages GROUP BY owner, repo"
        )
        return {
            (row["owner"], row["repo"]): RepoStats(row["packages"], row["groups"], row["size"])
            for row in rows
        }

    def create(self, owner: str, fields: Mapping[str, Any]) -> RepoRecord:
        """A new repository from validated RepositoryCreateRequest fields."""
        if not SLUG.match(owner):
            raise NotFound(404, _NOT_FOUND)
        settings = {key: value for key, value in fields.items() if key != "slug"}
        given = fields.get("slug")
        slug = given if given is not None else _slugify(settings["name"])
        errors = {**_nulls(fields), **_problems(settings, None)}
        if given is not None and not _API_SLUG.match(given):
            errors["slug"] = [_SLUG_MESSAGE]
        elif not slug:
            errors["name"] = ["No slug can be made of this name; give a slug."]
        with self._db.transaction() as conn:
            errors.update(self._distributes_problems(owner, settings, None))
            if "slug" not in errors and "name" not in errors and self._taken(owner, slug):
                errors["slug"] = [_taken_message(owner, slug)]
            if errors:
                raise BadRequest(400, INVALID_BODY, errors)
            record = RepoRecord(owner, slug, new_identifier(), settings, self._clock.now())
            conn.execute(
                "INSERT INTO repos (owner, name, slug_perm, settings, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (owner, slug, record.slug_perm, json.dumps(settings), record.created_at),
            )
        return record

    def update(self, record: RepoRecord, fields: Mapping[str, Any]) -> RepoRecord:
        """``record`` with validated RepositoryRequestPatch fields applied; a new slug
        moves the repository, its packages and uploads with it."""
        settings = {**record.settings, **{k: v for k, v in fields.items() if k != "slug"}}
        given = fields.get("slug")
        slug = record.slug if given is None else given
        errors = {**_nulls(fields), **_problems(settings, record.settings)}
        if slug != record.slug and not _API_SLUG.match(slug):
            errors["slug"] = [_SLUG_MESSAGE]
        with self._db.transaction() as conn:
            errors.update(self._distributes_problems(record.owner, settings, record.slug))
            if "slug" not in errors and slug != record.slug and self._taken(record.owner, slug):
                errors["slug"] = [_taken_message(record.owner, slug)]
            if errors:
                raise BadRequest(400, INVALID_BODY, errors)
            key = (record.owner, record.slug)
            conn.execute(
                "UPDATE repos SET name = ?, settings = ? WHERE owner = ? AND name = ?",
                (slug, json.dumps(settings), *key),
            )
            if slug != record.slug:
                for table in ("packages", "uploads"):
                    conn.execute(
                        f"UPDATE {table} SET repo = ? WHERE owner = ? AND repo = ?",  # noqa: S608
                        (slug, *key),
                    )
        return RepoRecord(record.owner, slug, record.slug_perm, settings, record.created_at)

    def delete(self, record: RepoRecord) -> None:
        """Soft-delete ``record``: its packages go, and its uploads with their files,
        except those a package elsewhere still holds (one copied or moved out of it)."""
        key = (record.owner, record.slug)
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE repos SET deleted_at = ? WHERE owner = ? AND name = ?",
                (self._clock.now(), *key),
            )
            conn.execute("DELETE FROM packages WHERE owner = ? AND repo = ?", key)
            gone = [
                row["identifier"]
                for row in conn.execute(
                    "SELECT identifier FROM uploads WHERE owner = ? AND repo = ? "
                    "AND identifier NOT IN (SELECT json_extract(item.value, '$.identifier') "
                    "FROM packages, json_each(packages.files) AS item)",
                    key,
                )
            ]
            conn.executemany("DELETE FROM parts WHERE identifier = ?", [(item,) for item in gone])
            conn.executemany("DELETE FROM uploads WHERE identifier = ?", [(item,) for item in gone])
        self._uploads.discard(gone)

    def _serve(self, configured: Sequence[tuple[str, str]]) -> None:
        """The ``--repo`` repositories exist whenever the sandbox starts: made when new,
        back (empty, settings kept) when deleted, settled when from an older data dir."""
        with self._db.transaction() as conn:
            for owner, slug in configured:
                conn.execute(
                    "INSERT INTO repos (owner, name) VALUES (?, ?) "
                    "ON CONFLICT (owner, name) DO UPDATE SET deleted_at = NULL",
                    (owner, slug),
                )
                settings = {**model_defaults("RepositoryCreateRequest"), "name": slug}
                conn.execute(
                    "UPDATE repos SET slug_perm = ?, settings = ?, created_at = ? "
                    "WHERE owner = ? AND name = ? AND slug_perm IS NULL",
                    (new_identifier(), json.dumps(settings), self._clock.now(), owner, slug),
                )

    def _taken(self, owner: str, slug: str) -> bool:
        """Whether a repository, live or deleted, has ``slug``."""
        row = self._db.row("SELECT 1 FROM repos WHERE owner = ? AND name = ?", (owner, slug))
        return row is not None

    def _distributes_problems(
        self, owner: str, settings: Mapping[str, Any], slug: str | None
    ) -> dict[str, list[str]]:
        distributes = settings.get("distributes") or []
        if not distributes:
            return {}
        if settings.get("content_kind") != "Distribution":
            return {"distributes": ["Only a Distribution repository distributes others."]}
        messages = [
            _SLUG_MESSAGE
            if not _API_SLUG.match(item)
            else f"No repository {item!r} in namespace {owner!r}."
            for item in distributes
            if item == slug or not _API_SLUG.match(item) or not self.exists(owner, item)
        ]
        return {"distributes": messages} if messages else {}


def _record(row: Any) -> RepoRecord:
    return RepoRecord(
        row["owner"], row["name"], row["slug_perm"], json.loads(row["settings"]), row["created_at"]
    )


def _slugify(name: str) -> str:
    """The slug Cloudsmith makes of a name: lower case, each run of other characters a
    hyphen ("My Repo (beta)" is "my-repo-beta")."""
    return re.sub(r"[^a-z0-9_]+", "-", name.lower()).strip("-")


def _taken_message(owner: str, slug: str) -> str:
    return (
        f"A repository with the slug {slug!r} already exists in namespace {owner!r} "
        "(a deleted one keeps its slug)."
    )


def _nulls(fields: Mapping[str, Any]) -> dict[str, list[str]]:
    return {
        key: ["This field may not be null."]
        for key, value in fields.items()
        if value is None and key not in _NULLABLE
    }


def _problems(
    settings: Mapping[str, Any], before: Mapping[str, Any] | None
) -> dict[str, list[str]]:
    """What the models cannot check: choices fixed at creation, the Open-Source terms."""
    errors: dict[str, list[str]] = {}
    kind = settings.get("repository_type_str")
    if before is not None:
        if settings.get("content_kind") != before.get("content_kind"):
            errors["content_kind"] = ["The content kind can only be chosen at creation."]
        if kind == "Open-Source" and before.get("repository_type_str") != "Open-Source":
            errors["repository_type_str"] = ["Open-Source can only be chosen at creation."]
    url = settings.get("open_source_project_url")
    if url is not None and not _is_url(url):
        errors["open_source_project_url"] = ["Enter a valid URL."]
    if kind == "Open-Source" and "repository_type_str" not in errors:
        for key in ("open_source_license", "open_source_project_url"):
            if not settings.get(key):
                errors.setdefault(key, ["An Open-Source repository needs this field."])
    return errors


def _is_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:  # a bracketed host that is not an IPv6 address, and the like
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text
