"""File uploads: requested through the API, then sent to presigned or multipart endpoints.

Bytes go straight to ``DIR/blobs/<identifier>/<filename>`` (the original name kept, since
format plugins look at it); multipart parts wait in ``DIR/parts/<identifier>/``.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pubsmith_sandbox.assembly import Assembly, StoredPart
from pubsmith_sandbox.bodies import BackgroundHash, FileSink, Readable, receive_to_file
from pubsmith_sandbox.clock import Clock
from pubsmith_sandbox.db import Database
from pubsmith_sandbox.errors import BadRequest, NotFound
from pubsmith_sandbox.part_digests import PartDigests
from pubsmith_sandbox.records import UploadRecord, new_identifier
from pubsmith_sandbox.signing import Signer

__all__ = ["UploadService"]

_NOT_FOUND = "Not found."
_NAME_BYTES = 255
_CHECKSUM = {"md5": re.compile(r"[0-9a-f]{32}"), "sha256": re.compile(r"[0-9a-f]{64}")}
_COLUMNS = list(UploadRecord.__dataclass_fields__)
_INSERT = "INSERT INTO uploads ({}) VALUES ({})".format(  # noqa: S608 - our own column names
    ", ".join(_COLUMNS), ", ".join("?" for _ in _COLUMNS)
)


class UploadService:
    def __init__(
        self, db: Database, data_dir: Path, signer: Signer, url_seconds: float, clock: Clock
    ) -> None:
        self._db = db
        self._clock = clock
        self._blobs = data_dir / "blobs"
        self._parts = data_dir / "parts"
        self._signer = signer
        self._url_seconds = url_seconds
        self._completing: set[str] = set()
        self._multipart: dict[str, _Multipart] = {}
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
            created_at=self._clock.now(),
        )
        self._db.execute(_INSERT, list(record.as_row().values()))
        if record.method == "put_parts":
            assembly = Assembly(self._parts / record.identifier)
            # sha256 always: it is what a client names on completion when it hashed the
            # file while sending it, as the API has it for PUT-based uploads.
            wanted = ["sha256", *(["md5"] if record.md5_expected else [])]
            with self._lock:
                self._multipart[record.identifier] = _Multipart(
                    assembly, PartDigests(assembly.locate, wanted)
                )
        return record

    def get(self, identifier: str) -> UploadRecord | None:
        row = self._db.row("SELECT * FROM uploads WHERE identifier = ?", (identifier,))
        return UploadRecord.from_row(row) if row else None

    def in_repo(self, owner: str, repo: str, identifier: str) -> UploadRecord:
        record = self.get(identifier)
        if record is None or (record.owner, record.repo) != (owner, repo):
            raise NotFound(404, _NOT_FOUND)
        return record

    def blob_path(self, record: UploadRecord) -> Path:
        return self._blobs / record.identifier / record.filename

    def expires(self) -> int:
        return int(self._clock.now() + self._url_seconds)

    def receive(self, record: UploadRecord, body: Readable) -> UploadRecord:
        """Store the whole file of a POST or PUT upload and check it against its checksums."""
        _require_open(record)
        sink = self._sink(record)
        digests = receive_to_file(body, sink)
        return self._finish(record, sink.path, sink.size, digests)

    def sink_for(self, record: UploadRecord) -> FileSink:
        """A sink for a pushed file (the multipart POST), to hand to :meth:`finish`."""
        _require_open(record)
        return self._sink(record)

    def finish(self, record: UploadRecord, sink: FileSink) -> UploadRecord:
        digests = sink.finish()
        return self._finish(record, sink.path, sink.size, digests)

    def receive_part(
        self, record: UploadRecord, part_number: int, body: Readable, length: int | None
    ) -> str:
        """Store one part of ``length`` bytes (None: unknown); a part sent again replaces
        the earlier one. Returns its ETag."""
        if record.method != "put_parts":
            raise BadRequest(400, "This upload was not requested as a multipart upload.")
        _require_open(record)
        upload = self._multipart_of(record)
        assembly = upload.assembly
        assembly.directory.mkdir(parents=True, exist_ok=True)
        # S3 documents a multipart ETag as opaque (not a checksum), so none is computed.
        etag = new_identifier()
        accepted = (
            self._db.row(
                "SELECT 1 FROM parts WHERE identifier = ? AND part_number = ?",
                (record.identifier, part_number),
            )
            is not None
        )
        offset = assembly.claim(part_number, length, accepted)
        try:
            if offset is None:
                sink = FileSink(assembly.directory / f".{part_number}.{etag}")
                receive_to_file(body, sink)
                sink.path.replace(assembly.own_file(part_number))
            else:
                follow = (
                    None
                    if upload.digests is None
                    else upload.digests.writing(part_number, assembly.joined, offset)
                )
                sink = FileSink(
                    assembly.joined,
                    offset=offset,
                    written=None if follow is None else follow.written,
                )
                try:
                    receive_to_file(body, sink)
                except BaseException:
                    if follow is not None:
                        follow.failed()
                    raise
        finally:
            assembly.release(part_number)
        part = StoredPart(part_number, sink.size, offset)
        self._db.execute(
            "INSERT OR REPLACE INTO parts (identifier, part_number, size, etag, offset) "
            "VALUES (?, ?, ?, ?, ?)",
            (record.identifier, part_number, part.size, etag, offset),
        )
        if upload.digests is not None:
            upload.digests.received(part)
        return etag

    def complete(
        self, record: UploadRecord, checksums: Mapping[str, Any] | None = None
    ) -> UploadRecord:
        """Join the parts in part-number order into the file and check it.

        ``checksums`` (``md5_checksum``, ``sha256_checksum``) may come with the completion
        when the client hashed the file while sending it; they must agree with any given
        when the upload was requested.
        """
        _require_multipart(record)
        record = _expecting(record, checksums or {})
        with self._lock:
            if record.identifier in self._completing:
                raise BadRequest(400, "This upload is already being completed.")
            self._completing.add(record.identifier)
        try:
            _require_open(record)
            parts = self._stored_parts(record.identifier)
            if not parts:
                raise BadRequest(400, "The multipart upload has no parts to complete.")
            with self._lock:
                upload = self._multipart.pop(record.identifier, None) or self._resumed(record)
            digests = None
            if upload.digests is not None:
                digests = upload.digests.result([part.number for part in parts])
            if digests is not None and not _wanted(record) <= digests.keys():
                digests = None
            target = self._sink_path(record)
            try:
                size = upload.assembly.join(parts, target)
                if digests is None:
                    digests = _hash_file(target, _wanted(record))
            except BaseException:
                target.unlink(missing_ok=True)
                raise
            finished = self._finish(record, target, size, digests)
            shutil.rmtree(upload.assembly.directory, ignore_errors=True)
            return finished
        finally:
            with self._lock:
                self._completing.discard(record.identifier)

    def abort(self, record: UploadRecord) -> None:
        _require_multipart(record)
        if record.state == "completed":
            raise BadRequest(400, "The multipart upload is complete and cannot be aborted.")
        self._set_state(record.identifier, "aborted", None)
        self._drop_parts(record.identifier)

    def discard(self, identifiers: Iterable[str]) -> None:
        """Remove the files of uploads whose rows are gone (their repository was deleted)."""
        for identifier in identifiers:
            self._drop_parts(identifier)
            shutil.rmtree(self._blobs / identifier, ignore_errors=True)

    def close(self) -> None:
        """Stop hashing the parts of uploads nobody completed."""
        with self._lock:
            running, self._multipart = list(self._multipart.values()), {}
        for upload in running:
            if upload.digests is not None:
                upload.digests.close()

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("open", "completed", "aborted", "failed"), 0)
        for row in self._db.rows("SELECT state, COUNT(*) AS n FROM uploads GROUP BY state"):
            counts[row["state"]] = row["n"]
        return counts

    def _drop_parts(self, identifier: str) -> None:
        with self._lock:
            upload = self._multipart.pop(identifier, None)
        if upload is not None and upload.digests is not None:
            upload.digests.close()
        shutil.rmtree(self._parts / identifier, ignore_errors=True)

    def _multipart_of(self, record: UploadRecord) -> _Multipart:
        with self._lock:
            upload = self._multipart.get(record.identifier)
            if upload is None:
                upload = self._multipart[record.identifier] = self._resumed(record)
            return upload

    def _resumed(self, record: UploadRecord) -> _Multipart:
        """An upload started before a restart: its running digests are gone, so completing
        it hashes the joined file."""
        parts = self._stored_parts(record.identifier)
        return _Multipart(Assembly.resumed(self._parts / record.identifier, parts), None)

    def _stored_parts(self, identifier: str) -> list[StoredPart]:
        return [
            StoredPart(row["part_number"], row["size"], row["offset"])
            for row in self._db.rows(
                "SELECT part_number, size, offset FROM parts WHERE identifier = ? "
                "ORDER BY part_number",
                (identifier,),
            )
        ]

    def _sink(self, record: UploadRecord) -> FileSink:
        return FileSink(self._sink_path(record), sorted(_wanted(record)))

    def _sink_path(self, record: UploadRecord) -> Path:
        directory = self._blobs / record.identifier
        directory.mkdir(parents=True, exist_ok=True)
        return directory / f".incoming-{new_identifier()}"

    def _finish(
        self, record: UploadRecord, path: Path, size: int, digests: dict[str, str]
    ) -> UploadRecord:
        problem = _checksum_problem(record, digests)
        current = self.get(record.identifier)
        if current is None:
            path.unlink(missing_ok=True)
            raise NotFound(404, _NOT_FOUND)
        if current.state != "open":
            path.unlink(missing_ok=True)
            _require_open(current)
        if problem:
            path.unlink(missing_ok=True)
            self._set_state(record.identifier, "failed", problem)
            raise BadRequest(400, problem)
        path.replace(self.blob_path(record))
        self._db.execute(
            "UPDATE uploads SET state = 'completed', size = ?, md5 = ?, sha256 = ?, "
            "finished_at = ? WHERE identifier = ?",
            (size, digests.get("md5"), digests.get("sha256"), self._clock.now(), record.identifier),
        )
        completed = self.get(record.identifier)
        assert completed is not None
        return completed

    def _set_state(self, identifier: str, state: str, reason: str | None) -> None:
        self._db.execute(
            "UPDATE uploads SET state = ?, reason = ?, finished_at = ? WHERE identifier = ?",
            (state, reason, self._clock.now(), identifier),
        )


def safe_filename(raw: str) -> str:
    """The last path component of a client's filename; refuses names that are not files.

    The file is stored under its own name (format plugins read it), so the name must fit
    the disk's limit of 255 bytes, which the API's 255 characters can exceed.
    """
    name = PurePosixPath(raw.replace("\\", "/")).name
    if name in ("", ".", "..") or "\x00" in name or name.startswith(".incoming-"):
        raise BadRequest(
            400, "The filename is not valid.", {"filename": ["Not a valid file name."]}
        )
    if len(name.encode("utf-8")) > _NAME_BYTES:
        message = (
            f"Ensure this file name has no more than {_NAME_BYTES} bytes as UTF-8 "
            "(the sandbox stores each file under its name); shorten it."
        )
        raise BadRequest(400, "The filename is not valid.", {"filename": [message]})
    return name


def _require_open(record: UploadRecord) -> None:
    if record.state != "open":
        raise BadRequest(400, f"This upload is {record.state} and takes no more data.")


def _require_multipart(record: UploadRecord) -> None:
    if record.method != "put_parts":
        raise BadRequest(400, "The provided upload file was not a multipart upload.")


@dataclass(frozen=True)
class _Multipart:
    """An open multipart upload: where its parts go, and their digests so far."""

    assembly: Assembly
    digests: PartDigests | None


def _hash_file(path: Path, algorithms: set[str]) -> dict[str, str]:
    hashers = {name: BackgroundHash(name) for name in sorted(algorithms)}
    for hasher in hashers.values():
        hasher.update_from(path)
    return {name: hasher.hexdigest() for name, hasher in hashers.items()}


def _wanted(record: UploadRecord) -> set[str]:
    return {
        name
        for name, value in (("md5", record.md5_expected), ("sha256", record.sha256_expected))
        if value
    }


def _expecting(record: UploadRecord, checksums: Mapping[str, Any]) -> UploadRecord:
    """``record`` also expecting the checksums a completion names."""
    expected = {"md5": record.md5_expected, "sha256": record.sha256_expected}
    for name, pattern in _CHECKSUM.items():
        given = checksums.get(f"{name}_checksum")
        if given is None:
            continue
        value = str(given).lower()
        if not pattern.fullmatch(value):
            raise BadRequest(
                400,
                f"{name}_checksum is not a {name} checksum.",
                {f"{name}_checksum": [f"Not a valid {name} checksum."]},
            )
        if expected[name] not in (None, value):
            raise BadRequest(
                400,
                f"The {name}_checksum differs from the one given when the upload was requested.",
            )
        expected[name] = value
    return dataclasses.replace(
        record, md5_expected=expected["md5"], sha256_expected=expected["sha256"]
    )


def _checksum_problem(record: UploadRecord, digests: dict[str, str]) -> str | None:
    for name, expected in (("md5", record.md5_expected), ("sha256", record.sha256_expected)):
        if expected and digests.get(name) != expected:
            return (
                f"The uploaded file's {name} checksum is {digests.get(name)}, not the "
                f"{name}_checksum {expected} given when the upload was requested."
            )
    return None
