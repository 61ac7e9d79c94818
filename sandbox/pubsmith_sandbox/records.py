"""The rows the sandbox keeps: file uploads and packages, as typed records."""

from __future__ import annotations

import dataclasses
import json
import secrets
import sqlite3
import string
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "PackageFileRef",
    "PackageRecord",
    "Phase",
    "UploadRecord",
    "new_identifier",
    "package_phase",
]

UploadState = Literal["open", "completed", "aborted", "failed"]
PackageState = Literal["pending", "completed", "failed"]
Phase = Literal["awaiting", "in_progress", "completed", "failed"]

_ALPHABET = string.ascii_letters + string.digits

# Share of the sync time spent "Awaiting Synchronisation" before progress starts rising.
_AWAITING_SHARE = 0.2


@dataclass(frozen=True)
class UploadRecord:
    identifier: str
    owner: str
    repo: str
    filename: str
    method: str
    md5_expected: str | None
    sha256_expected: str | None
    state: UploadState
    created_at: float
    size: int | None = None
    md5: str | None = None
    sha256: str | None = None
    reason: str | None = None
    finished_at: float | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> UploadRecord:
        return cls(**{name: row[name] for name in _UPLOAD_FIELDS})

    def as_row(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_UPLOAD_FIELDS = tuple(item.name for item in dataclasses.fields(UploadRecord))


@dataclass(frozen=True)
class PackageFileRef:
    """One file of a package: the payload field it came from and its upload."""

    field: str
    identifier: str
    filename: str
    size: int


@dataclass(frozen=True)
class PackageRecord:
    slug_perm: str
    slug: str
    owner: str
    repo: str
    format: str
    filename: str
    upload: str
    files: tuple[PackageFileRef, ...]
    payload: dict[str, Any]
    state: PackageState
    uploaded_at: float
    queued_at: float
    due_at: float
    name: str | None = None
    version: str | None = None
    tags: tuple[str, ...] = ()
    tags_immutable: tuple[str, ...] = ()
    status_reason: str | None = None
    progress: int = 0
    finished_at: float | None = None
    size: int | None = None
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    sha512: str | None = None
    seq: int | None = field(default=None, compare=False)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> PackageRecord:
        values = {name: row[name] for name in _PACKAGE_FIELDS}
        values["files"] = tuple(PackageFileRef(**item) for item in json.loads(row["files"]))
        values["payload"] = json.loads(row["payload"])
        values["tags"] = tuple(json.loads(row["tags"]))
        values["tags_immutable"] = tuple(json.loads(row["tags_immutable"]))
        return cls(**values)

    def as_row(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in _PACKAGE_FIELDS if name != "seq"}
        values["files"] = json.dumps([dataclasses.asdict(ref) for ref in self.files])
        values["payload"] = json.dumps(self.payload)
        values["tags"] = json.dumps(list(self.tags))
        values["tags_immutable"] = json.dumps(list(self.tags_immutable))
        return values

    @property
    def repo_slug(self) -> str:
        return f"{self.owner}/{self.repo}"


_PACKAGE_FIELDS = tuple(item.name for item in dataclasses.fields(PackageRecord))


def package_phase(record: PackageRecord, now: float) -> tuple[Phase, int]:
    """Where a package is in processing at ``now``, and its progress from 0 to 100.

    A pending package waits for the first fifth of its sync time, then its progress rises
    with time; it stays at 99 until the processor has finished with it.
    """
    if record.state == "completed":
        return "completed", 100
    if record.state == "failed":
        return "failed", record.progress
    span = record.due_at - record.queued_at
    start = record.queued_at + span * _AWAITING_SHARE
    if now < start:
        return "awaiting", 0
    rising = span * (1 - _AWAITING_SHARE)
    progress = 99 if rising <= 0 else int(99 * min(1.0, (now - start) / rising))
    return "in_progress", max(1, progress)


def new_identifier(length: int = 12) -> str:
    """A random slug like the real API's identifiers (``slug_perm``, upload ids)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
