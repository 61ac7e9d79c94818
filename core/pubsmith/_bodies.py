"""Request bodies streamed from disk: a file range, or a multipart form ending in a file."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from pubsmith.errors import ArtifactError, UploadError

__all__ = ["READ_SIZE", "FileBody", "file_size", "multipart_body"]

# Large enough that per-read overhead vanishes, small enough that many parts in flight
# stay a few MiB of memory.
READ_SIZE = 1024 * 1024

Progress = Callable[[int], None]


def file_size(path: Path) -> int:
    """The size of the file to send, or :class:`ArtifactError` saying why it cannot be read."""
    try:
        return path.stat().st_size
    except OSError as exc:
        raise ArtifactError(path, f"cannot read: {exc.strerror or exc}") from None


class FileBody:
    """``length`` bytes of ``path`` from ``offset``, between an optional prefix and suffix.

    Each attempt of a request calls :meth:`open` for a fresh generator, so a retry sends
    the bytes again. ``progress`` receives the file bytes as they are handed to the
    connection; when an attempt is retried, the bytes reported by the failed attempt are
    first taken back with one negative call, so a running total stays true.
    """

    def __init__(
        self,
        path: Path,
        offset: int,
        length: int,
        *,
        prefix: bytes = b"",
        suffix: bytes = b"",
        progress: Progress | None = None,
    ) -> None:
        self.path = path
        self.offset = offset
        self.length = length
        self.prefix = prefix
        self.suffix = suffix
        self.progress = progress
        self._reported = 0

    @property
    def content_length(self) -> int:
        return len(self.prefix) + self.length + len(self.suffix)

    @contextlib.contextmanager
    def open(self) -> Iterator[Iterator[bytes]]:
        """The body of one attempt; the file is closed when the attempt ends."""
        if self._reported and self.progress is not None:
            self.progress(-self._reported)
        self._reported = 0
        try:
            stream = self.path.open("rb")
        except OSError as exc:
            raise ArtifactError(self.path, f"cannot read: {exc.strerror or exc}") from None
        with stream:
            stream.seek(self.offset)
            yield self._chunks(stream)

    def _chunks(self, stream: BinaryIO) -> Iterator[bytes]:
        if self.prefix:
            yield self.prefix
        left = self.length
        while left > 0:
            chunk = stream.read(min(READ_SIZE, left))
            if not chunk:
                raise UploadError(
                    f"{self.path} shrank while it was being uploaded; "
                    "publish it again once nothing is writing to it"
                )
            left -= len(chunk)
            yield chunk
            self._reported += len(chunk)
            if self.progress is not None:
                self.progress(len(chunk))
        if self.suffix:
            yield self.suffix


def _quote(value: str) -> str:
    # The HTML form encoding browsers use for names in Content-Disposition.
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def multipart_body(
    fields: Mapping[str, object], path: Path, size: int, progress: Progress | None
) -> tuple[FileBody, str]:
    """A ``multipart/form-data`` body: ``fields`` in order, then the file as ``file``.

    Returns the body and its ``Content-Type``. The file comes last because presigned
    POST policies (S3's among them) ignore fields after it.
    """
    boundary = secrets.token_hex(16)
    head = bytearray()
    for name, value in fields.items():
        disposition = f'form-data; name="{_quote(name)}"'
        head += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        head += str(value).encode() + b"\r\n"
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{_quote(path.name)}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = FileBody(path, 0, size, prefix=bytes(head), suffix=tail, progress=progress)
    return body, f"multipart/form-data; boundary={boundary}"
