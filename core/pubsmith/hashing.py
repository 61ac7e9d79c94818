"""Checksums of a file from one read: md5 and sha256 in parallel, or sha256 alone.

md5 is the slow one (about 2.5x sha256 on CPUs with SHA extensions) and the API asks for it
only for POST uploads, so multipart uploads hash sha256 alone, in the background while their
parts are sent (:class:`BackgroundDigest`).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from io import FileIO
from pathlib import Path

from pubsmith.errors import ArtifactError

__all__ = ["BackgroundDigest", "FileDigest", "digest_file"]

DEFAULT_BUFFER_SIZE = 4 * 1024 * 1024

# Below this a thread hand-off costs more than it saves.
_PARALLEL_MIN = 256 * 1024

# Buffers in rotation: one being read into while the hashers work through the others.
_BUFFERS = 3


@dataclass(frozen=True)
class FileDigest:
    """Size in bytes and hex digests of a file's content."""

    size: int
    md5: str | None
    """None when only sha256 was asked for."""
    sha256: str
    modified: int | None = field(default=None, compare=False)
    """The file's modification time (``st_mtime_ns``) when reading began, if known: an
    upload of this content checks the file still has it."""


class _Stopped(Exception):
    """A background digest was cancelled."""


def digest_file(
    path: Path | str,
    buffer_size: int = DEFAULT_BUFFER_SIZE,
    *,
    md5: bool = True,
    stop: threading.Event | None = None,
) -> FileDigest:
    """Read ``path`` once and return its size, sha256 and (unless ``md5=False``) md5.

    hashlib releases the GIL on large buffers, so for big files each hash runs on its own
    thread while this one reads ahead into a few reused buffers: md5 (the slower) sets
    the pace, and memory stays at a few buffers whatever the file size. Raises
    :class:`ArtifactError` when the file cannot be read.
    """
    path = Path(path)
    hashers = (hashlib.sha256(), *([hashlib.md5(usedforsecurity=False)] if md5 else []))
    try:
        with path.open("rb", buffering=0) as stream:
            opened = os.fstat(stream.fileno())
            if len(hashers) == 1 or opened.st_size < _PARALLEL_MIN:
                size = _digest_inline(stream, hashers, buffer_size, stop)
            else:
                size = _digest_parallel(stream, hashers, buffer_size, stop)
    except IsADirectoryError:
        raise ArtifactError(path, "is a directory, not a file; pass the files inside it") from None
    except FileNotFoundError:
        raise ArtifactError(path, "no such file; check the path") from None
    except OSError as exc:
        problem = f"cannot read: {exc.strerror or exc}; check its permissions"
        raise ArtifactError(path, problem) from None
    md5_hex = hashers[1].hexdigest() if md5 else None
    return FileDigest(size, md5_hex, hashers[0].hexdigest(), opened.st_mtime_ns)


class BackgroundDigest:
    """The sha256 digest of a file, computed on its own thread while the caller sends it.

    Leaving the ``with`` block before :meth:`result` stops the hashing at its next buffer,
    so a failed upload does not wait for the rest of a large file to be read.
    """

    def __init__(self, path: Path) -> None:
        self._stop = threading.Event()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="pubsmith-digest")
        self._future = self._executor.submit(digest_file, path, md5=False, stop=self._stop)

    def result(self) -> FileDigest:
        """The digest, once the whole file is read; raises what reading it raised."""
        return self._future.result()

    def __enter__(self) -> BackgroundDigest:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._executor.shutdown(wait=True)


def _digest_inline(
    stream: FileIO,
    hashers: tuple[hashlib._Hash, ...],
    buffer_size: int,
    stop: threading.Event | None,
) -> int:
    size = 0
    while buffer := stream.read(buffer_size):
        if stop is not None and stop.is_set():
            raise _Stopped
        size += len(buffer)
        for hasher in hashers:
            hasher.update(buffer)
    return size


def _digest_parallel(
    stream: FileIO,
    hashers: tuple[hashlib._Hash, ...],
    buffer_size: int,
    stop: threading.Event | None,
) -> int:
    # One single-thread executor per hash keeps each hash's updates in file order.
    workers = [ThreadPoolExecutor(1, thread_name_prefix="pubsmith-hash") for _ in hashers]
    views = [memoryview(bytearray(buffer_size)) for _ in range(_BUFFERS)]
    using: list[list[Future[None]]] = [[] for _ in views]
    size = 0
    try:
        for turn in itertools.count():
            slot = turn % _BUFFERS
            for future in using[slot]:
                future.result()  # the buffer is free again once both hashes have read it
            if stop is not None and stop.is_set():
                raise _Stopped
            count = stream.readinto(views[slot])
            if not count:
                break
            size += count
            piece = views[slot][:count]
            using[slot] = [w.submit(h.update, piece) for w, h in zip(workers, hashers, strict=True)]
        for futures in using:
            for future in futures:
                future.result()
    finally:
        for worker in workers:
            worker.shutdown(wait=True, cancel_futures=True)
    return size
