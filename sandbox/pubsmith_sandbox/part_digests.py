"""Whole-file checksums of multipart uploads, hashed part by part while later parts arrive.

Parts come in parallel and in any order; each one is hashed as soon as every part before
it has been, so by the time the client completes the upload only the last part or so is
left to hash, instead of the whole file. A part sent again after it was hashed, or a gap
in the part numbers, spoils the running digest: completing then hashes the joined file.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from pubsmith_sandbox.assembly import StoredPart

__all__ = ["PartDigests"]

_BUFFER_SIZE = 4 * 1024 * 1024


class PartDigests:
    """The running digests of one multipart upload; ``locate`` says where a part's bytes are."""

    def __init__(
        self, locate: Callable[[StoredPart], tuple[Path, int]], algorithms: Iterable[str]
    ) -> None:
        self._locate = locate
        self._hashers = {name: hashlib.new(name) for name in algorithms}
        self._next = 1
        self._received: dict[int, StoredPart] = {}
        self._spoiled = False
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="sandbox-parts")
        self._running: Future[None] | None = None

    @property
    def algorithms(self) -> frozenset[str]:
        return frozenset(self._hashers)

    def received(self, part: StoredPart) -> None:
        """``part`` is stored; hash it once its turn comes."""
        with self._lock:
            if part.number < self._next:
                self._spoiled = True
                return
            self._received[part.number] = part
            if self._running is None or self._running.done():
                self._running = self._executor.submit(self._advance)

    def wait(self) -> None:
        """Return once every part that can be hashed yet has been."""
        with self._lock:
            running = self._running
        if running is not None:
            running.result()

    def result(self, numbers: list[int]) -> dict[str, str] | None:
        """The digests of parts ``numbers`` joined, or None when they must be hashed anew.

        Nothing more can be received afterwards.
        """
        self.wait()
        self.close()
        with self._lock:
            whole = numbers == list(range(1, self._next))
            if self._spoiled or not whole:
                return None
            return {name: hasher.hexdigest() for name, hasher in self._hashers.items()}

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _advance(self) -> None:
        while True:
            with self._lock:
                part = self._received.pop(self._next, None)
                if self._spoiled or part is None:
                    return
                self._next += 1
            self._hash(part)

    def _hash(self, part: StoredPart) -> None:
        path, offset = self._locate(part)
        buffer = bytearray(_BUFFER_SIZE)
        left = part.size
        try:
            with path.open("rb", buffering=0) as source, memoryview(buffer) as view:
                source.seek(offset)
                while left and (count := source.readinto(view[: min(left, _BUFFER_SIZE)])):
                    left -= count
                    for hasher in self._hashers.values():
                        hasher.update(view[:count])
        except OSError:
            left = -1
        if left:
            # Aborted, or replaced and cleaned up underneath us: complete hashes afresh.
            with self._lock:
                self._spoiled = True
