"""Deliver one file to Cloudsmith and return the identifier a package payload needs.

Small files go in one presigned POST (or PUT, if the server asks for it); files above
the threshold go in parts sent in parallel, a bounded number in flight, each part retried
on its own. A multipart upload that cannot finish is aborted, unless a :class:`ResumeStore`
keeps it for the next run after a failure that may pass (network, server, interruption).

A file's size and modification time are taken before an upload and checked after it, as
rsync and make tell a changed file: one written to meanwhile (grown, truncated, rewritten
in place) fails with :class:`FileChangedError` rather than become a package of the old
content, or of neither; a multipart upload is then aborted.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pubsmith.client import CloudsmithClient
from pubsmith.errors import (
    AmbiguousResultError,
    ArtifactError,
    FileChangedError,
    NotFoundError,
    PubsmithError,
    ServerError,
    TransportError,
    UploadError,
    ValidationError,
)
from pubsmith.hashing import BackgroundDigest, FileDigest, digest_file
from pubsmith.resume import ResumeRecord, ResumeStore

__all__ = ["DEFAULT_CHUNK_SIZE", "Part", "UploadedFile", "Uploader", "split_parts"]

log = logging.getLogger("pubsmith.upload")

DEFAULT_CHUNK_SIZE = 100 * 1024 * 1024

Progress = Callable[[int], None]

# Failures worth keeping a resumable upload open for; anything else aborts it.
_PASSING = (TransportError, ServerError)


@dataclass(frozen=True)
class UploadedFile:
    """A file the server holds, ready to be named in a package payload."""

    identifier: str
    filename: str
    size: int
    md5: str | None
    """None for multipart uploads, which the API checks by sha256 alone."""
    sha256: str


@dataclass(frozen=True)
class Part:
    """Bytes ``offset`` to ``offset + length`` of a file, numbered from 1."""

    number: int
    offset: int
    length: int


class _Cancelled(Exception):
    """Stops a part mid-stream once another part has failed."""


def split_parts(size: int, chunk_size: int) -> list[Part]:
    """The parts of a ``size``-byte file, each ``chunk_size`` long but maybe the last."""
    return [
        Part(number, offset, min(chunk_size, size - offset))
        for number, offset in enumerate(range(0, size, chunk_size), start=1)
    ]


class Uploader:
    """Uploads files through a :class:`CloudsmithClient`; one uploader serves many threads.

    Files larger than ``multipart_threshold`` (default: ``chunk_size``) are sent in
    ``chunk_size`` parts, ``part_concurrency`` at a time. With ``resume``, a multipart
    upload interrupted by a passing failure is continued by the next upload of the same
    file to the same repository, skipping the parts already accepted.
    """

    def __init__(
        self,
        client: CloudsmithClient,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        multipart_threshold: int | None = None,
        part_concurrency: int = 4,
        resume: ResumeStore | None = None,
    ) -> None:
        if chunk_size < 1 or part_concurrency < 1:
            raise ValueError("chunk_size and part_concurrency must be positive")
        self.client = client
        self.chunk_size = chunk_size
        self.multipart_threshold = (
            chunk_size if multipart_threshold is None else multipart_threshold
        )
        self.part_concurrency = part_concurrency
        self.resume = resume

    def upload(
        self,
        owner: str,
        repo: str,
        path: Path,
        *,
        digest: FileDigest | None = None,
        progress: Progress | None = None,
    ) -> UploadedFile:
        """Upload ``path`` and return its identifier and checksums.

        Without ``digest``, a single upload hashes the file first (its request names the
        checksums) and a multipart upload hashes it while the parts are sent, naming the
        checksum when it completes. ``progress`` gets byte counts as they are sent, from
        worker threads for multipart uploads; a retried request first takes back what its
        failed attempt reported, with a negative count, and parts skipped on resume are
        reported at once.
        """
        path = Path(path)
        try:
            before = _identity(path)
            if digest is not None and (digest.size, digest.modified or before[1]) != before:
                raise FileChangedError(path)  # since it was hashed
            try:
                if before[0] > self.multipart_threshold:
                    uploaded = self._multipart(owner, repo, path, digest, progress, before)
                else:
                    digest = digest or digest_file(path)
                    identifier = self._single(owner, repo, path, digest, progress)
                    uploaded = UploadedFile(
                        identifier, path.name, digest.size, digest.md5, digest.sha256
                    )
            except PubsmithError:
                # A changed file is what failed, however the server put it (a checksum
                # refused, "the upload URL may have expired") or reading it did.
                _unchanged(path, before)
                raise
            _unchanged(path, before)
        except OSError as exc:
            raise ArtifactError(path, f"cannot read: {exc.strerror or exc}") from None
        return uploaded

    def _create(
        self, owner: str, repo: str, path: Path, method: str, digest: FileDigest | None
    ) -> tuple[str, dict[str, Any]]:
        # md5 is the API's checksum for POST uploads, sha256 for PUT-based ones.
        request: dict[str, Any] = {"filename": path.name, "method": method}
        if digest is not None:
            request["sha256"] = digest.sha256
            if method == "post":
                request["md5"] = digest.md5
        # No files_validate first: files_create checks the same request before any byte
        # moves, and the package was validated as a whole before the transfer began.
        attempts = self.client.policy.attempts()
        while True:
            try:
                created = self.client.files_create(owner, repo, **request)
                break
            except AmbiguousResultError as exc:
                # The API cannot tell us the identifier of an upload whose answer was lost,
                # so it cannot be aborted; it holds no bytes (none were sent to it) and
                # expires unused. Asking again is harmless, unlike giving up on the file.
                if attempts.wait() is None:
                    raise
                log.info("requesting the upload of %s again: %s", path.name, exc)
        identifier = created.get("identifier")
        if not isinstance(identifier, str) or not identifier:
            raise UploadError(
                f"the API started an upload of {path.name} without an identifier; publish again"
            )
        return identifier, created

    def _single(
        self, owner: str, repo: str, path: Path, digest: FileDigest, progress: Progress | None
    ) -> str:
        identifier, created = self._create(owner, repo, path, "post", digest)
        # Nothing to abort on failure: the API aborts only multipart uploads, and an unused
        # presigned URL holds no bytes and expires on its own.
        url = _upload_url(created, path.name)
        fields = created.get("upload_fields")
        if fields:
            self.client.upload_post(url, fields, path, progress)
        else:
            # The server chose a PUT upload: no form, just its headers.
            self.client.upload_put(url, created.get("upload_headers") or {}, path, progress)
        return identifier

    def _multipart(
        self,
        owner: str,
        repo: str,
        path: Path,
        digest: FileDigest | None,
        progress: Progress | None,
        before: _Identity,
    ) -> UploadedFile:
        size = before[0]
        key = self._key(owner, repo, path, size)
        with BackgroundDigest(path) as hashing:
            record = self._resumable(owner, repo, key, size)
            resumed = record is not None
            if record is None:
                identifier, created = self._create(owner, repo, path, "put_parts", digest)
                record = ResumeRecord(
                    identifier, _upload_url(created, path.name), size, self.chunk_size
                )
                self._save(key, record)
            else:
                log.info(
                    "resuming upload of %s: %d parts already accepted", path.name, len(record.parts)
                )
            parts = split_parts(size, self.chunk_size)
            todo = [part for part in parts if part.number not in record.parts]
            if progress is not None and len(todo) < len(parts):
                progress(size - sum(part.length for part in todo))

            def accepted(part: Part) -> None:
                record.parts.add(part.number)
                self._save(key, record)

            with self._aborting(owner, repo, record.identifier, keep=key):
                # Refused before any part is sent, and the upload aborted, not left open.
                self.client.check_parts_url(record.upload_url)
                self._send_parts(record, path, todo, progress, accepted)
                sent = hashing.result()
                _unchanged(path, before)  # before completing: the upload is then aborted
                if sent.size != size or (digest is not None and sent.sha256 != digest.sha256):
                    raise FileChangedError(path)
                # A killed run may have sent the complete after its last part: the server
                # then refuses a second one, and creating the package checks the upload.
                self.client.files_complete(
                    owner,
                    repo,
                    record.identifier,
                    filename=path.name,
                    sha256=sent.sha256,
                    resumed=resumed,
                )
        if self.resume is not None:
            self.resume.discard(key)
        return UploadedFile(record.identifier, path.name, size, None, sent.sha256)

    def _send_parts(
        self,
        record: ResumeRecord,
        path: Path,
        parts: list[Part],
        progress: Progress | None,
        accepted: Callable[[Part], None],
    ) -> None:
        """Send ``parts`` with at most ``part_concurrency`` in flight; first failure wins."""
        stop = threading.Event()

        def report(count: int) -> None:
            if stop.is_set():
                raise _Cancelled
            if progress is not None:
                progress(count)

        def send(part: Part) -> Part:
            self.client.upload_part(
                record.upload_url,
                upload_id=record.identifier,
                part_number=part.number,
                path=path,
                offset=part.offset,
                length=part.length,
                progress=report,
            )
            return part

        queue = iter(parts)
        failure: BaseException | None = None
        with ThreadPoolExecutor(self.part_concurrency, thread_name_prefix="pubsmith-part") as pool:
            in_flight: set[Future[Part]] = set()
            try:
                for part in itertools.islice(queue, self.part_concurrency):
                    in_flight.add(pool.submit(send, part))
                while in_flight:
                    done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        error = future.exception()
                        if error is None:
                            accepted(future.result())
                        elif failure is None or isinstance(failure, _Cancelled):
                            failure = error
                    if failure is None:
                        more = itertools.islice(queue, len(done))
                        in_flight.update(pool.submit(send, part) for part in more)
                    else:
                        stop.set()
            finally:
                # Also on KeyboardInterrupt: parts still streaming stop at their next read.
                stop.set()
        if failure is not None:
            raise failure

    @contextlib.contextmanager
    def _aborting(self, owner: str, repo: str, identifier: str, *, keep: str) -> Iterator[None]:
        """Abort the upload when the block fails, unless it stays resumable under ``keep``."""
        try:
            yield
        except BaseException as exc:
            resumable = self.resume is not None and (
                isinstance(exc, _PASSING) or not isinstance(exc, Exception)
            )
            if resumable:
                log.info("upload %s left open to resume on the next run", identifier)
            else:
                self._abort(owner, repo, identifier)
                if self.resume is not None:
                    self.resume.discard(keep)
            raise

    def _abort(self, owner: str, repo: str, identifier: str) -> None:
        try:
            self.client.files_abort(owner, repo, identifier)
        except PubsmithError as exc:
            # The original failure is what the user needs to see; a stuck upload expires.
            log.warning("could not abort upload %s: %s", identifier, exc)

    def _resumable(self, owner: str, repo: str, key: str, size: int) -> ResumeRecord | None:
        """The stored upload for this file if the server still has it open; else None."""
        if self.resume is None:
            return None
        record = self.resume.load(key)
        if record is None:
            return None
        if record.size == size and record.chunk_size == self.chunk_size:
            try:
                info = self.client.files_info(owner, repo, record.identifier)
            except (NotFoundError, ValidationError):
                info = None
            if info is not None:
                if isinstance(info.get("upload_url"), str) and info["upload_url"]:
                    record.upload_url = _upload_url(info, record.identifier)
                return record
        log.info("discarding stale upload state for %s", record.identifier)
        self._abort(owner, repo, record.identifier)
        self.resume.discard(key)
        return None

    def _save(self, key: str, record: ResumeRecord) -> None:
        if self.resume is not None:
            self.resume.save(key, record)

    def _key(self, owner: str, repo: str, path: Path, size: int) -> str:
        # The file's identity as rsync and make see it: a file rewritten since the last run
        # gets a fresh upload, and one changed without its time moving fails the checksum
        # the server checks on completion.
        stat = path.stat()
        identity = "\n".join(
            (
                self.client.api_url,
                owner,
                repo,
                str(path.resolve()),
                str(size),
                str(stat.st_mtime_ns),
            )
        )
        return hashlib.sha256(identity.encode()).hexdigest()[:40]


_Identity = tuple[int, int]
"""A file's size and modification time in nanoseconds."""


def _identity(path: Path) -> _Identity:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _unchanged(path: Path, before: _Identity) -> None:
    """Raise :class:`FileChangedError` if ``path`` no longer has the size and time ``before``."""
    try:
        changed = _identity(path) != before
    except OSError:
        changed = True  # removed or replaced meanwhile
    if changed:
        raise FileChangedError(path) from None


def _upload_url(answer: dict[str, Any], name: str) -> str:
    url = answer.get("upload_url")
    if not isinstance(url, str) or not url:
        raise UploadError(f"the API gave no upload URL for {name}; publish again")
    query = answer.get("upload_querystring")
    if isinstance(query, str) and query.strip("?&"):
        url += ("&" if "?" in url else "?") + query.strip("?&")
    return url
