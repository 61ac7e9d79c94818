"""md5 and sha256 of a file from one read, the two hashes computed in parallel."""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pubsmith.errors import ArtifactError

__all__ = ["FileDigest", "digest_file"]

DEFAULT_BUFFER_SIZE = 8 * 1024 * 1024

# Below this a thread hand-off costs more than it saves.
_PARALLEL_MIN = 256 * 1024


@dataclass(frozen=True)
class FileDigest:
    """Size in bytes and hex digests of a file's content."""

    size: int
    md5: str
    sha256: str


def digest_file(path: Path | str, buffer_size: int = DEFAULT_BUFFER_SIZE) -> FileDigest:
    """Read ``path`` once and return its size, md5 and sha256.

    hashlib releases the GIL on large buffers, so for big files the two hashes run on two
    worker threads while this thread reads the next buffer. Raises :class:`ArtifactError`
    when the file cannot be read.
    """
    path = Path(path)
    md5 = hashlib.md5(usedforsecurity=False)
    sha256 = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as stream, ThreadPoolExecutor(max_workers=2) as pool:
            pending: list[Future[None]] = []
            while buffer := stream.read(buffer_size):
                for future in pending:
                    future.result()
                size += len(buffer)
                if len(buffer) < _PARALLEL_MIN:
                    pending = []
                    md5.update(buffer)
                    sha256.update(buffer)
                else:
                    pending = [pool.submit(md5.update, buffer), pool.submit(sha256.update, buffer)]
            for future in pending:
                future.result()
    except IsADirectoryError:
        raise ArtifactError(path, "is a directory, not a file; pass the files inside it") from None
    except FileNotFoundError:
        raise ArtifactError(path, "no such file; check the path") from None
    except OSError as exc:
        problem = f"cannot read: {exc.strerror or exc}; check its permissions"
        raise ArtifactError(path, problem) from None
    return FileDigest(size=size, md5=md5.hexdigest(), sha256=sha256.hexdigest())
