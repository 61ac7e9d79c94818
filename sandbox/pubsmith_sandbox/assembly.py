"""Where the parts of a multipart upload are kept: in place in the joined file when possible.

Clients cut a file into equal parts but the last, so part ``n`` belongs at
``(n - 1) * part_size``. The first part to arrive sets that size; every part that fits is
written straight to its place in one file, and completing the upload is then a rename, not
a copy of the whole file (S3 too joins parts without copying them). A part that does not
fit (a bigger one, a body of unknown length, or a part sent again once accepted, which must
not overwrite the accepted bytes until it has fully arrived) is kept in its own file and
copied to its place when the upload completes.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Assembly", "StoredPart"]

_COPY_BUFFER = 4 * 1024 * 1024


@dataclass(frozen=True)
class StoredPart:
    number: int
    size: int
    offset: int | None
    """Where it starts in the assembly file, or None when it is in its own file."""


class Assembly:
    """The part files of one upload, under ``directory``."""

    def __init__(self, directory: Path, part_size: int | None = None) -> None:
        self.directory = directory
        self.part_size = part_size
        self._writing: set[int] = set()
        self._lock = threading.Lock()

    @classmethod
    def resumed(cls, directory: Path, parts: list[StoredPart]) -> Assembly:
        """The assembly of an upload whose parts a restarted sandbox found stored."""
        sizes = {
            part.offset // (part.number - 1)
            for part in parts
            if part.offset is not None and part.number > 1
        }
        sizes |= {part.size for part in parts if part.offset is not None and part.number == 1}
        return cls(directory, sizes.pop() if len(sizes) == 1 else None)

    @property
    def joined(self) -> Path:
        return self.directory / "assembly"

    def own_file(self, number: int) -> Path:
        return self.directory / f"{number}.part"

    def claim(self, number: int, length: int | None, accepted: bool) -> int | None:
        """The offset to write part ``number`` at in place, or None to keep it apart.

        Release the claim with :meth:`release` once the part is stored or has failed.
        """
        with self._lock:
            if length is None or not length or accepted or number in self._writing:
                return None
            if self.part_size is None:
                self.part_size = length
            if length > self.part_size:
                return None
            self._writing.add(number)
            return (number - 1) * self.part_size

    def release(self, number: int) -> None:
        with self._lock:
            self._writing.discard(number)

    def locate(self, part: StoredPart) -> tuple[Path, int]:
        """The file holding ``part`` and where in it the part starts."""
        if part.offset is None:
            return self.own_file(part.number), 0
        return self.joined, part.offset

    def join(self, parts: list[StoredPart], target: Path) -> int:
        """Make ``target`` the parts joined in order; returns its size.

        A rename when every part is in its place; otherwise a fresh file is written.
        """
        size = sum(part.size for part in parts)
        if len(parts) == 1 and parts[0].offset is None:
            self.own_file(parts[0].number).replace(target)
            return size
        if self._in_place(parts):
            with self.joined.open("r+b", buffering=0) as out:
                for part in parts:
                    if part.offset is None:
                        _copy(
                            self.own_file(part.number),
                            0,
                            out.fileno(),
                            (part.number - 1) * (self.part_size or 0),
                            part.size,
                        )
                out.truncate(size)
            self.joined.replace(target)
            return size
        with target.open("wb", buffering=0) as out:
            written = 0
            for part in parts:
                path, offset = self.locate(part)
                _copy(path, offset, out.fileno(), written, part.size)
                written += part.size
        return size

    def _in_place(self, parts: list[StoredPart]) -> bool:
        """Whether part n of these belongs at (n - 1) * part size, with no gap or overlap."""
        size = self.part_size
        if size is None or not self.joined.exists():
            return False
        numbers = [part.number for part in parts]
        if numbers != list(range(1, len(parts) + 1)):
            return False
        last = parts[-1]
        return (
            all(part.size == size for part in parts[:-1])
            and last.size <= size
            and all(part.offset in (None, (part.number - 1) * size) for part in parts)
        )


def _copy(source: Path, offset: int, target_fd: int, target_offset: int, length: int) -> None:
    """``length`` bytes of ``source`` from ``offset`` to ``target_offset`` of ``target_fd``."""
    with source.open("rb", buffering=0) as stream:
        fd = stream.fileno()
        copied = 0
        try:
            while copied < length:
                step = os.copy_file_range(
                    fd, target_fd, length - copied, offset + copied, target_offset + copied
                )
                if not step:
                    break
                copied += step
        except OSError:
            # No in-kernel copy between these file systems: copy through a buffer.
            while copied < length:
                data = os.pread(fd, min(_COPY_BUFFER, length - copied), offset + copied)
                if not data:
                    break
                with memoryview(data) as view:
                    done = 0
                    while done < len(data):
                        done += os.pwrite(target_fd, view[done:], target_offset + copied + done)
                copied += len(data)
    if copied != length:
        raise OSError(f"{source.name} is shorter than its recorded part")
