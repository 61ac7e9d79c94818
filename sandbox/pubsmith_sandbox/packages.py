"""Package operations: create (and validate), copy, move, tag, resync, delete, list."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from pubsmith_sandbox.catalog import distribution_choices, model_name
from pubsmith_sandbox.clock import Clock
from pubsmith_sandbox.errors import BadRequest, NotFound
from pubsmith_sandbox.package_store import PackageStore
from pubsmith_sandbox.records import PackageFileRef, PackageRecord, new_identifier
from pubsmith_sandbox.uploads import UploadService
from pubsmith_sandbox.validation import INVALID_BODY, validate_body

__all__ = ["WRONG_STATE", "PackageService"]

WRONG_STATE = "The package is in the wrong state for the requested operation."


class PackageService:
    """``sync_seconds`` and ``queued`` are hooks to the live settings and the processor."""

    def __init__(
        self,
        store: PackageStore,
        uploads: UploadService,
        repo_exists: Callable[[str, str], bool],
        sync_seconds: Callable[[], float],
        queued: Callable[[], None],
        clock: Clock,
    ) -> None:
        self.store = store
        self._clock = clock
        self._uploads = uploads
        self._repo_exists = repo_exists
        self._sync_seconds = sync_seconds
        self._queued = queued

    def check(self, fmt: str, body: dict[str, Any]) -> dict[str, Any]:
        """The validated payload of an upload; files are checked only when creating."""
        fields = validate_body(model_name(fmt), body)
        distribution = fields.get("distribution")
        choices = distribution_choices(fmt)
        if distribution is not None and choices and distribution not in choices:
            message = f'"{distribution}" is not a valid distribution; use one of: ' + ", ".join(
                choices
            )
            raise BadRequest(400, INVALID_BODY, {"distribution": [message]})
        return fields

    def create(self, owner: str, repo: str, fmt: str, body: dict[str, Any]) -> PackageRecord:
        fields = self.check(fmt, body)
        files = self._files(owner, repo, fields)
        payload = {
            key: value
            for key, value in fields.items()
            if not key.endswith("_file") and key != "extra_files"
        }
        now = self._clock.now()
        primary = files[0]
        record = PackageRecord(
            slug_perm=new_identifier(),
            slug=self._new_slug(primary.filename),
            owner=owner,
            repo=repo,
            format=fmt,
            filename=primary.filename,
            upload=primary.identifier,
            files=tuple(files),
            payload=payload,
            state="pending",
            uploaded_at=now,
            queued_at=now,
            due_at=now + self._sync_seconds(),
            name=payload.get("name") or None,
            version=payload.get("version") or None,
            tags=_split_tags(payload.get("tags")),
            size=primary.size,
        )
        self.store.insert(record)
        self._queued()
        return record

    def get(self, owner: str, repo: str, identifier: str) -> PackageRecord:
        record = self.store.find(owner, repo, identifier)
        if record is None:
            raise NotFound(404, "Not found.")
        return record

    def delete(self, record: PackageRecord) -> None:
        self.store.delete(record.slug_perm)

    def copy(self, record: PackageRecord, destination: str, republish: bool) -> PackageRecord:
        self._check_destination(record, destination)
        payload = {**record.payload, "republish": republish}
        copied = dataclasses.replace(
            self._requeued(record),
            slug_perm=new_identifier(),
            slug=self._new_slug(record.filename),
            repo=destination,
            payload=payload,
        )
        self.store.insert(copied)
        self._queued()
        return copied

    def move(self, record: PackageRecord, destination: str) -> PackageRecord:
        self._check_destination(record, destination)
        moved = dataclasses.replace(self._requeued(record), repo=destination)
        self.store.save(moved)
        self._queued()
        return moved

    def resync(self, record: PackageRecord) -> PackageRecord:
        if record.state == "pending":
            raise BadRequest(400, WRONG_STATE)
        resynced = self._requeued(record)
        self.store.save(resynced)
        self._queued()
        return resynced

    def tag(self, record: PackageRecord, fields: dict[str, Any]) -> PackageRecord:
        action = fields.get("action") or "Add"
        given = tuple(dict.fromkeys(fields.get("tags") or ()))
        immutable = record.tags_immutable
        if action == "Clear":
            tags = immutable
        elif action == "Replace":
            tags = tuple(dict.fromkeys(immutable + given))
        elif action == "Remove":
            tags = tuple(tag for tag in record.tags if tag not in given or tag in immutable)
        else:
            tags = tuple(dict.fromkeys(record.tags + given))
        if fields.get("is_immutable") and action in ("Add", "Replace"):
            immutable = tuple(dict.fromkeys(immutable + given))
        tagged = dataclasses.replace(record, tags=tags, tags_immutable=immutable)
        self.store.save(tagged)
        return tagged

    def _files(self, owner: str, repo: str, fields: dict[str, Any]) -> list[PackageFileRef]:
        """Each ``*_file`` (and ``extra_files``) must name a completed upload of this repo."""
        refs: list[PackageFileRef] = []
        errors: dict[str, list[str]] = {}
        for key, value in fields.items():
            if not (key.endswith("_file") or key == "extra_files") or value is None:
                continue
            for identifier in value if isinstance(value, list) else [value]:
                upload = self._uploads.get(identifier)
                if upload is None or (upload.owner, upload.repo) != (owner, repo):
                    errors.setdefault(key, []).append(
                        f"No upload {identifier!r} in {owner}/{repo}; files_create makes one."
                    )
                elif upload.state != "completed":
                    errors.setdefault(key, []).append(
                        f"The upload {identifier!r} is {upload.state}, not completed."
                    )
                else:
                    refs.append(PackageFileRef(key, identifier, upload.filename, upload.size or 0))
        if errors:
            raise BadRequest(400, INVALID_BODY, errors)
        refs.sort(key=lambda ref: ref.field != "package_file")
        return refs

    def _check_destination(self, record: PackageRecord, destination: str) -> None:
        if record.state != "completed":
            raise BadRequest(400, WRONG_STATE)
        if not self._repo_exists(record.owner, destination):
            message = f"No repository {destination!r} in namespace {record.owner!r}."
            raise BadRequest(400, INVALID_BODY, {"destination": [message]})
        if destination == record.repo:
            message = "The destination must be a different repository."
            raise BadRequest(400, INVALID_BODY, {"destination": [message]})

    def _requeued(self, record: PackageRecord) -> PackageRecord:
        now = self._clock.now()
        return dataclasses.replace(
            record,
            state="pending",
            status_reason=None,
            progress=0,
            finished_at=None,
            queued_at=now,
            due_at=now + self._sync_seconds(),
        )

    def _new_slug(self, filename: str) -> str:
        stem = re.sub(r"[^a-z0-9]+", "-", filename.lower()).strip("-")[:48] or "package"
        while True:
            slug = f"{stem}-{new_identifier(4).lower()}"
            if not self.store.slug_taken(slug):
                return slug


def _split_tags(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, str):
        return ()
    return tuple(dict.fromkeys(tag.strip() for tag in raw.split(",") if tag.strip()))
