"""md5 and sha256 of a file from one read, the two hashes computed in parallel."""

from __future__ import annotations

import hashlib
import itertools
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from io import FileIO
from pathlib import Path

from pubsmith.errors import ArtifactError

__all__ = ["FileDigest", "digest_file"]

DEFAULT_BUFFER_SIZE = 4 * 1024 * 1024

# Below this a thread hand-off costs more than it saves.
_PARALLEL_MIN = 256 * 1024

# Buffers in rotation: one being read into while the hashers work through the others.
_BUFFERS = 3


@dataclass(frozen=True)
class FileDigest:
    """Size in bytes and hex digests of a file's content."""

    size: int
    md5: str
    sha256: str


def digest_file(path: Path | str, buffer_size: int = DEFAULT_BUFFER_SIZE) -> FileDigest:
    """Read ``path`` once and return its size, md5 and sha256.

    hashlib releases the GIL on large buffers, so for big files each hash runs on its own
    thread while this one reads ahead into a few reused buffers: md5 (the slower) sets
    the pace, and memory stays at a few buffers whatever the file size. Raises
    :class:`ArtifactError` when the file cannot be read.
    """
    path = Path(path)
    hashers = (hashlib.md5(usedforsecurity=False), hashlib.sha256())
    try:
        with path.open("rb", buffering=0) as stream:
            if os.fstat(stream.fileno()).st_size < _PARALLEL_MIN:
                size = _digest_inline(stream, hashers, buffer_size)
            else:
                size = _digest_parallel(stream, hashers, buffer_size)
    except IsADirectoryError:
        raise ArtifactError(path, "is a directory, not a file; pass the files inside it") from None
    except FileNotFoundError:
        raise ArtifactError(path, "no such file; check the path") from None
    except OSError as exc:
        problem = f"cannot read: {exc.strerror or exc}; check its permissions"
        raise ArtifactError(path, problem) from None
    md5, sha256 = hashers
    return FileDigest(size=size, md5=md5.hexdigest(), sha256=sha256.hexdigest())


def _digest_inline(stream: FileIO, hashers: tuple[hashlib._Hash, ...], buffer_size: int) -> int:
    size = 0
    while buffer := stream.read(buffer_size):
        size += len(buffer)
        for hasher in hashers:
            hasher.update(buffer)
    return size


def _digest_parallel(
    stream: FileIO, hashers: tuple[hashlib._Hash, ...], buffer_size: int
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
