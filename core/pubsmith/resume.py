"""What a multipart upload has done so far, kept so a later run can finish it.

The uploader only needs a :class:`ResumeStore`: load a record by key, save it after each
accepted part, discard it when the upload completes or turns out stale.
:class:`FileResumeStore` keeps one small JSON file per upload under the user's cache
directory; nothing in it is secret (no key, no presigned URL).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import platformdirs

__all__ = ["FileResumeStore", "ResumeRecord", "ResumeStore"]

log = logging.getLogger("pubsmith.upload")


@dataclass
class ResumeRecord:
    """An open multipart upload and the part numbers the server has accepted."""

    identifier: str
    upload_url: str
    size: int
    chunk_size: int
    parts: set[int] = field(default_factory=set)


class ResumeStore(Protocol):
    """Where :class:`ResumeRecord` s live between runs, by an opaque key."""

    def load(self, key: str) -> ResumeRecord | None: ...

    def save(self, key: str, record: ResumeRecord) -> None: ...

    def discard(self, key: str) -> None: ...


class FileResumeStore:
    """One JSON file per upload in ``directory`` (default: the user cache directory)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or platformdirs.user_cache_path("pubsmith") / "uploads"

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def load(self, key: str) -> ResumeRecord | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            return ResumeRecord(
                identifier=str(data["identifier"]),
                upload_url=str(data["upload_url"]),
                size=int(data["size"]),
                chunk_size=int(data["chunk_size"]),
                parts={int(number) for number in data["parts"]},
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # A damaged record only costs a fresh upload; it must never stop one.
            log.warning("ignoring unreadable resume state %s: %s", self._path(key), exc)
            return None

    def save(self, key: str, record: ResumeRecord) -> None:
        data = {
            "identifier": record.identifier,
            "upload_url": record.upload_url,
            "size": record.size,
            "chunk_size": record.chunk_size,
            "parts": sorted(record.parts),
        }
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Written whole then renamed, so a killed process leaves the old record or the new.
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream)
            os.replace(temporary, self._path(key))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def discard(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()
