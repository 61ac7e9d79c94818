"""Request bodies as streams: ``Content-Length`` or chunked, read in 1 MiB steps to disk.

An upload is never held in memory: :func:`receive_to_file` moves it from the socket to a
file through one reused buffer, hashing on the way.
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from pubsmith_sandbox.errors import BadRequest

__all__ = [
    "CHUNK_SIZE",
    "INLINE_LIMIT",
    "BackgroundHash",
    "BodyReader",
    "FileSink",
    "Readable",
    "receive_to_file",
]

CHUNK_SIZE = 1024 * 1024
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
INLINE_LIMIT = CHUNK_SIZE


class Readable(Protocol):
    def readinto(self, buffer: memoryview) -> int: ...


class _Stream(Readable, Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


class BodyReader:
    """The body of one request; reading never goes past its end into the next request."""

    def __init__(self, stream: _Stream, length: int | None, chunked: bool) -> None:
        self._stream = stream
        self._chunked = chunked
        self.length = None if chunked else (length or 0)
        """The declared length; None for a chunked body."""
        self._remaining = 0 if chunked else (length or 0)
        self._chunk_left = 0
        self._done = not chunked and not self._remaining
        self.received = 0

    @property
    def exhausted(self) -> bool:
        return self._done

    def readinto(self, buffer: memoryview) -> int:
        """Fill up to ``len(buffer)`` bytes; 0 means the body has ended."""
        if self._done or not len(buffer):
            return 0
        if self._chunked and not self._chunk_left and not self._next_chunk():
            return 0
        want = min(len(buffer), self._chunk_left if self._chunked else self._remaining)
        count = self._stream.readinto(buffer[:want])
        if not count:
            raise BadRequest(400, "The request body ended before its declared length.")
        self.received += count
        if self._chunked:
            self._chunk_left -= count
            if not self._chunk_left:
                self._stream.readline(8)  # the CRLF closing each chunk
        else:
            self._remaining -= count
            self._done = not self._remaining
        return count

    def read(self, limit: int) -> bytes:
        """All of the body, refusing one longer than ``limit`` bytes."""
        data = bytearray()
        buffer = bytearray(min(limit + 1, CHUNK_SIZE))
        with memoryview(buffer) as view:
            while count := self.readinto(view):
                data += view[:count]
                if len(data) > limit:
                    raise BadRequest(413, f"The request body is larger than {limit} bytes.")
        return bytes(data)

    def drain(self, limit: int) -> bool:
        """Discard up to ``limit`` bytes of what is left; True when the body is all read."""
        buffer = bytearray(CHUNK_SIZE)
        with memoryview(buffer) as view:
            while not self._done and limit > 0:
                count = self.readinto(view[: min(CHUNK_SIZE, limit)])
                if not count:
                    break
                limit -= count
        return self._done

    def _next_chunk(self) -> bool:
        digits = self._stream.readline(1024).split(b";", 1)[0].strip()
        # Hex digits only: int() would also take "-5", "+5", "0x5" and "5_0".
        if not _HEX.fullmatch(digits):
            raise BadRequest(400, "The chunked request body is malformed.")
        size = int(digits, 16)
        if size == 0:
            while self._stream.readline(1024).strip():
                pass  # trailers carry nothing the sandbox needs
            self._done = True
            return False
        self._chunk_left = size
        return True


class BackgroundHash:
    """One hash fed from its own thread, so hashing overlaps receiving and writing.

    hashlib releases the GIL on large updates, so an upload checked with MD5 (the slowest)
    goes at nearly the speed of one that is not checked at all. The first
    :data:`INLINE_LIMIT` bytes are hashed on the caller's thread: for the many small
    uploads a thread would cost more than it saves.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._hasher = hashlib.new(name)
        self._seen = 0
        self._queue: queue.Queue[bytes | Path | None] | None = None
        self._thread: threading.Thread | None = None

    def update(self, data: bytes) -> None:
        self._seen += len(data)
        if self._queue is None and self._seen <= INLINE_LIMIT:
            self._hasher.update(data)
        else:
            self._started().put(data)

    def update_from(self, path: Path) -> None:
        """Hash the whole file at ``path``, read by the hashing thread itself."""
        self._started().put(path)

    def hexdigest(self) -> str:
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
        return self._hasher.hexdigest()

    def _started(self) -> queue.Queue[bytes | Path | None]:
        if self._queue is None:
            self._queue = queue.Queue(maxsize=8)
            self._thread = threading.Thread(
                target=self._run, args=(self._queue,), name=f"sandbox-{self._name}", daemon=True
            )
            self._thread.start()
        return self._queue

    def _run(self, work: queue.Queue[bytes | Path | None]) -> None:
        while (data := work.get()) is not None:
            if isinstance(data, Path):
                self._hash_file(data)
            else:
                self._hasher.update(data)

    def _hash_file(self, path: Path) -> None:
        buffer = bytearray(4 * CHUNK_SIZE)
        with path.open("rb", buffering=0) as source, memoryview(buffer) as view:
            while count := source.readinto(view):
                self._hasher.update(view[:count])


class FileSink:
    """A file being written from a stream, hashed on the way; removed again on failure.

    With ``offset``, the bytes go to that place in a file shared with other writers (the
    assembly of a multipart upload's parts), which a failure leaves where it is.
    ``written`` is told the count of bytes written so far after each write.
    """

    def __init__(
        self,
        path: Path,
        algorithms: Iterable[str] = (),
        *,
        offset: int | None = None,
        written: Callable[[int], None] | None = None,
    ) -> None:
        self.path = path
        self.size = 0
        self._written = written
        self._shared = offset is not None
        if offset is None:
            self._file = path.open("wb", buffering=0)
        else:
            # Not truncated: other parts are being written to the same file.
            self._file = os.fdopen(
                os.open(path, os.O_WRONLY | os.O_CREAT, 0o644), "wb", buffering=0
            )
            self._file.seek(offset)
        self._hashers = {name: BackgroundHash(name) for name in algorithms}

    def write(self, data: memoryview) -> None:
        written = 0
        while written < len(data):
            written += self._file.write(data[written:]) or 0
        if self._hashers:
            # A copy: the caller reuses its buffer while the hashers are still reading.
            piece = bytes(data)
            for hasher in self._hashers.values():
                hasher.update(piece)
        self.size += len(data)
        if self._written is not None:
            self._written(self.size)

    def finish(self) -> dict[str, str]:
        """Close the file; returns the hex digests by algorithm."""
        self._file.close()
        return {name: hasher.hexdigest() for name, hasher in self._hashers.items()}

    def discard(self) -> None:
        self.finish()
        if not self._shared:
            self.path.unlink(missing_ok=True)


def receive_to_file(body: Readable, sink: FileSink) -> dict[str, str]:
    """Stream all of ``body`` into ``sink``; returns its digests. The sink is gone on failure."""
    buffer = bytearray(CHUNK_SIZE)
    try:
        with memoryview(buffer) as view:
            while count := body.readinto(view):
                sink.write(view[:count])
    except BaseException:
        sink.discard()
        raise
    return sink.finish()
