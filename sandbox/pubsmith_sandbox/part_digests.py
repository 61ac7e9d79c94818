"""Whole-file checksums of multipart uploads, hashed while the parts arrive.

Parts come in parallel and in any order. The part at the front (every part before it
hashed) is hashed as its bytes are written, following the writer; a part further on is
hashed once the ones before it are. So when the client completes the upload, only what
arrived in the last moments is left to hash, much as S3 answers a completion without
reading the object again. A part sent again after it was hashed, a followed part that
fails half-way or is overtaken by another copy of itself, or a gap in the part numbers
spoils the running digest: completing then hashes the joined file.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pubsmith_sandbox.assembly import StoredPart

__all__ = ["FollowedPart", "PartDigests"]

_BUFFER_SIZE = 4 * 1024 * 1024


class FollowedPart:
    """One attempt at writing a part in place, as :meth:`PartDigests.writing` follows it."""

    def __init__(self, digests: PartDigests, number: int, path: Path, offset: int) -> None:
        self.number, self.path, self.offset = number, path, offset
        self.size = 0
        self.valid = True
        """False once its bytes no longer are the part's: it failed, or another copy won."""
        self._digests = digests

    def written(self, size: int) -> None:
        """``size`` bytes of the part are written so far."""
        self._digests._grew(self, size)

    def failed(self) -> None:
        """The write stopped half-way and the part is not stored."""
        self._digests._failed(self)


class PartDigests:
    """The running digests of one multipart upload; ``locate`` says where a part's bytes are."""

    def __init__(
        self, locate: Callable[[StoredPart], tuple[Path, int]], algorithms: Iterable[str]
    ) -> None:
        self._locate = locate
        self._hashers = {name: hashlib.new(name) for name in algorithms}
        self._next = 1
        self._hashed = 0
        """Bytes of part ``_next`` hashed so far..."""
        self._source: FollowedPart | None = None
        """...from this attempt at writing it, if they came from one still being written."""
        self._received: dict[int, StoredPart] = {}
        self._growing: dict[int, FollowedPart] = {}
        self._spoiled = False
        self._closing = False
        """No part is followed any more: completing, or stopping."""
        self._abandoned = False
        """Nothing more is hashed: the upload is aborted, or the sandbox stops."""
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="sandbox-parts")
        self._hashing = False
        """Whether a task on the executor is hashing, or about to."""

    @property
    def algorithms(self) -> frozenset[str]:
        return frozenset(self._hashers)

    def writing(self, number: int, path: Path, offset: int) -> FollowedPart:
        """Part ``number`` is being written at ``offset`` of ``path``.

        The writer reports its progress to the returned attempt, and its failure; once the
        part is stored, :meth:`received` is called as for any part.
        """
        attempt = FollowedPart(self, number, path, offset)
        with self._lock:
            replaced = self._growing.get(number)
            if replaced is not None:
                self._overtaken(replaced)
            self._growing[number] = attempt
            if number == self._next:
                self._start()
        return attempt

    def received(self, part: StoredPart) -> None:
        """``part`` is stored; hash it once its turn comes."""
        with self._lock:
            attempt = self._growing.pop(part.number, None)
            if attempt is not None and self._locate(part) != (attempt.path, attempt.offset):
                self._overtaken(attempt)
            if part.number < self._next:
                self._spoiled = True  # hashed already; this copy replaces what was hashed
            self._received[part.number] = part
            self._changed.notify_all()
            self._start()

    def wait(self) -> None:
        """Return once every part that can be hashed yet has been."""
        with self._lock:
            while self._hashing and not self._spoiled and self._next in self._received:
                self._changed.wait()

    def result(self, numbers: list[int]) -> dict[str, str] | None:
        """The digests of parts ``numbers`` joined, or None when they must be hashed anew.

        Nothing more can be received afterwards.
        """
        self._end(abandon=False)
        with self._lock:
            whole = numbers == list(range(1, self._next))
            if self._spoiled or not whole:
                return None
            return {name: hasher.hexdigest() for name, hasher in self._hashers.items()}

    def close(self) -> None:
        """Stop hashing, with whatever is left unhashed: nobody will ask for the digests."""
        self._end(abandon=True)

    def _end(self, *, abandon: bool) -> None:
        """Stop following parts still being written; unless ``abandon``, first hash what
        is stored; then end the hashing task."""
        with self._lock:
            self._closing = True
            self._abandoned = self._abandoned or abandon
            self._changed.notify_all()
        self._executor.shutdown(wait=True)

    def _grew(self, attempt: FollowedPart, size: int) -> None:
        with self._lock:
            attempt.size = size
            if attempt.number == self._next:
                self._changed.notify_all()

    def _failed(self, attempt: FollowedPart) -> None:
        with self._lock:
            if self._growing.get(attempt.number) is attempt:
                del self._growing[attempt.number]
            self._overtaken(attempt)
            self._changed.notify_all()

    def _overtaken(self, attempt: FollowedPart) -> None:
        # Called with the lock held. Bytes hashed from the attempt are not the part's; a
        # step hashing it right now finds out when it ends.
        attempt.valid = False
        if self._source is attempt:
            self._spoiled = True

    def _start(self) -> None:
        # Called with the lock held, as is the task's own decision to stop: a part stored
        # just after that decision starts a new task.
        if not self._closing and not self._hashing:
            self._hashing = True
            self._executor.submit(self._advance)

    def _advance(self) -> None:
        while step := self._next_step():
            path, position, start, end, attempt = step
            hashed = self._hash(path, position, end - start)
            with self._lock:
                if not hashed or (attempt is not None and not attempt.valid):
                    self._spoiled = True
                    continue  # the next step sees it and stops
                self._hashed = end
                self._source = attempt
                if attempt is None:  # the stored part is hashed to its end
                    del self._received[self._next]
                    self._next += 1
                    self._hashed = 0
                    self._changed.notify_all()

    def _next_step(self) -> tuple[Path, int, int, int, FollowedPart | None] | None:
        """The front part's next unhashed bytes: the file and the position they are at,
        the part's bytes ``start`` to ``end`` they are, and the attempt still writing them
        (None once the part is stored). None when there are none yet, or any more."""
        with self._lock:
            while not self._spoiled and not self._abandoned:
                start = self._hashed
                part = self._received.get(self._next)
                if part is not None:
                    path, offset = self._locate(part)
                    return path, offset + start, start, part.size, None
                attempt = self._growing.get(self._next)
                if attempt is None or self._closing:
                    break
                if attempt.size > start:
                    return attempt.path, attempt.offset + start, start, attempt.size, attempt
                self._changed.wait()
            self._hashing = False
            self._changed.notify_all()
            return None

    def _hash(self, path: Path, position: int, length: int) -> bool:
        """Hash ``length`` bytes of ``path`` from ``position``; False if they are not there."""
        buffer = bytearray(min(_BUFFER_SIZE, max(length, 1)))
        try:
            with path.open("rb", buffering=0) as source, memoryview(buffer) as view:
                source.seek(position)
                while length and (count := source.readinto(view[: min(length, len(view))])):
                    length -= count
                    for hasher in self._hashers.values():
                        hasher.update(view[:count])
        except OSError:
            return False
        # Short: aborted, or replaced and cleaned up underneath us.
        return not length
