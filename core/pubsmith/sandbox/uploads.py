"""File uploads: requested through the API, then sent to presigned or multipart endpoints.

Bytes go straight to ``DIR/blobs/<identifier>/<filename>`` (the original name kept, since
format plugins look at it); multipart parts wait in ``DIR/parts/<identifier>/``.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path, PurePosixPath
from typing import Any

from pubsmith.errors import NotFoundError, ValidationError
from pubsmith.sandbox.bodies import FileSink, Readable, receive_to_file
from pubsmith.sandbox.db import Database
from pubsmith.sandbox.records import UploadRecord, new_identifier
from pubsmith.sandbox.signing import Signer

__all__ = ["UploadService"]

_NOT_FOUND = "Not found."
_COLUMNS = list(UploadRecord.__dataclass_fields__)
_INSERT = "INSERT INTO uploads ({}) VALUES ({})".format(  # noqa: S608 - our own column names
    ", ".join(_COLUMNS), ", ".join("?" for _ in _COLUMNS)
)


class UploadService:
    def __init__(self, db: Database, data_dir: Path, signer: Signer, url_seconds: float) -> None:
        self._db = db
        self._blobs = data_dir / "blobs"
        self._parts = data_dir / "parts"
        self._signer = signer
        self._url_seconds = url_seconds
        self._completing: set[str] = set()
        self._lock = threading.Lock()

    def create(self, owner: str, repo: str, fields: dict[str, Any]) -> UploadRecord:
        record = UploadRecord(
            identifier=new_identifier(),
            owner=owner,
            repo=repo,
            filename=safe_filename(fields["filename"]),
            method=fields.get("method") or "post",
            md5_expected=(fields.get("md5_checksum") or "").lower() or None,
            sha256_expected=(fields.get("sha256_checksum") or "").lower() or None,
            state="open",
            created_at=time.time(),
        )
        self._db.execute(_INSERT, list(record.as_row().values()))
        return record

    def get(self, identifier: str) -> UploadRecord | None:
        row = self._db.row("SELECT * FROM uploads WHERE identifier = ?", (identifier,))
        return UploadRecord.from_row(row) if row else None

    def in_repo(self, owner: str, repo: str, identifier: str) -> UploadRecord:
        record = self.get(identifier)
        if record is None or (record.owner, record.repo) != (owner, repo):
            raise NotFoundError(404, _NOT_FOUND)
        return record

    def blob_path(self, record: UploadRecord) -> Path:
        return self._blobs / record.identifier / record.filename

    def expires(self) -> int:
        return int(time.time() + self._url_seconds)

    def receive(self, record: UploadRecord, body: Readable) -> UploadRecord:
        """Store the whole file of a POST or PUT upload and check it against its checksums."""
        _require_open(record)
        sink = self._sink(record)
        digests = receive_to_file(body, sink)
        return self._finish(record, sink, digests)

    def sink_for(self, record: UploadRecord) -> FileSink:
        """A sink for a pushed file (the multipart POST), to hand to :meth:`finish`."""
        _require_open(record)
        return self._sink(record)

    def finish(self, record: UploadRecord, sink: FileSink) -> UploadRecord:
        return self._finish(record, sink, sink.finish())

    def receive_part(self, record: UploadRecord, part_number: int, body: Readable) -> str:
        """Store one part; a part sent again replaces the earlier one. Returns its ETag."""
        if record.method != "put_parts":
            raise ValidationError(400, "This upload was not requested as a multipart upload.")
        _require_open(record)
        directory = self._parts / record.identifier
        directory.mkdir(parents=True, exist_ok=True)
        sink = FileSink(directory / f".{part_number}.{new_identifier()}", ("md5",))
        etag = receive_to_file(body, sink)["md5"]
        sink.path.replace(directory / f"{part_number}.part")
        self._db.execute(
            "INSERT OR REPLACE INTO parts (identifier, part_number, size, etag) "
            "VALUES (?, ?, ?, ?)",
            (record.identifier, part_number, sink.size, etag),
        )
        return etag

    def complete(self, record: UploadRecord) -> UploadRecord:
        """Join the parts in part-number order into the file, streaming, and check it."""
        _require_multipart(record)
        with self._lock:
            if record.identifier in self._completing:
                raise ValidationError(400, "This upload is already being completed.")
            self._completing.add(record.identifier)
        try:
            _require_open(record)
            numbers = [row["part_number"] for row in self._db.rows(
                "SELECT part_number FROM parts WHERE identifier = ? ORDER BY part_number",
                (record.identifier,),
            )]
            if not numbers:
                raise ValidationError(400, "The multipart upload has no parts to complete.")
            sink = self._sink(record)
            try:
                for number in numbers:
                    sink.append_file(self._parts / record.identifier / f"{number}.part")
            except BaseException:
                sink.discard()
                raise
            finished = self._finish(record, sink, sink.finish())
            shutil.rmtree(self._parts / record.identifier, ignore_errors=True)
            return finished
        finally:
            with self._lock:
                self._completing.discard(record.identifier)

    def abort(self, record: UploadRecord) -> None:
        _require_multipart(record)
        if record.state == "completed":
            raise ValidationError(400, "The multipart upload is complete and cannot be aborted.")
        self._set_state(record.identifier, "aborted", None)
        shutil.rmtree(self._parts / record.identifier, ignore_errors=True)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("open", "completed", "aborted", "failed"), 0)
        for row in self._db.rows("SELECT state, COUNT(*) AS n FROM uploads GROUP BY state"):
            counts[row["state"]] = row["n"]
        return counts

    def _sink(self, record: UploadRecord) -> FileSink:
        directory = self._blobs / record.identifier
        directory.mkdir(parents=True, exist_ok=True)
        wanted = [name for name, value in (("md5", record.md5_expected),
                                           ("sha256", record.sha256_expected)) if value]
        return FileSink(directory / f".incoming-{new_identifier()}", wanted)

    def _finish(
        self, record: UploadRecord, sink: FileSink, digests: dict[str, str]
    ) -> UploadRecord:
        problem = _checksum_problem(record, digests)
        current = self.get(record.identifier)
        if current is None:
            sink.path.unlink(missing_ok=True)
            raise NotFoundError(404, _NOT_FOUND)
        if current.state != "open":
            sink.path.unlink(missing_ok=True)
            _require_open(current)
        if problem:
            sink.path.unlink(missing_ok=True)
            self._set_state(record.identifier, "failed", problem)
            raise ValidationError(400, problem)
        sink.path.replace(self.blob_path(record))
        self._db.execute(
            "UPDATE uploads SET state = 'completed', size = ?, md5 = ?, sha256 = ?, "
            "finished_at = ? WHERE identifier = ?",
            (sink.size, digests.get("md5"), digests.get("sha256"), time.time(), record.identifier),
        )
        completed = self.get(record.identifier)
        assert completed is not None
        return completed

    def _set_state(self, identifier: str, state: str, reason: str | None) -> None:
        self._db.execute(
            "UPDATE uploads SET state = ?, reason = ?, finished_at = ? WHERE identifier = ?",
            (state, reason, time.time(), identifier),
        )


def safe_filename(raw: str) -> str:
    """The last path component of a client's filename; refuses names that are not files."""
    name = PurePosixPath(raw.replace("\\", "/")).name
    if name in ("", ".", "..") or "\x00" in name or name.startswith(".incoming-"):
        raise ValidationError(
            400, "The filename is not valid.", {"filename": ["Not a valid file name."]}
        )
    return name


def _require_open(record: UploadRecord) -> None:
    if record.state != "open":
        raise ValidationError(400, f"This upload is {record.state} and takes no more data.")


def _require_multipart(record: UploadRecord) -> None:
    if record.method != "put_parts":
        raise ValidationError(400, "The provided upload file was not a multipart upload.")


def _checksum_problem(record: UploadRecord, digests: dict[str, str]) -> str | None:
    for name, expected in (("md5", record.md5_expected), ("sha256", record.sha256_expected)):
        if expected and digests.get(name) != expected:
            return (
                f"The uploaded file's {name} checksum is {digests.get(name)}, not the "
                f"{name}_checksum {expected} given when the upload was requested."
            )
    return None

