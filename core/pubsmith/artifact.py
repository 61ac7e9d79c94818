"""A file to publish, opened lazily so that format detection reads each archive once.

Every format plugin sees the same :class:`Artifact`; its magic bytes, archive kind and
member listing are computed on first use and cached, so asking thirty plugins "is this
yours?" costs one scan of the file rather than thirty.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import tarfile
import zipfile
import zlib
from functools import cached_property
from pathlib import Path
from typing import BinaryIO, Literal, TypeVar, cast

from pubsmith.errors import ArtifactError

__all__ = ["ArchiveKind", "Artifact"]

ArchiveKind = Literal["zip", "tar", "ar", "rpm"]

_HEAD_SIZE = 4096
# What the standard library raises for damaged archives: a corrupt deflate or bzip2 stream
# surfaces as zlib.error or OSError rather than as the archive module's own error.
_ARCHIVE_ERRORS = (
    OSError,
    EOFError,
    zipfile.BadZipFile,
    tarfile.TarError,
    lzma.LZMAError,
    zlib.error,
)
_MAX_MEMBER_BYTES = 64 * 1024 * 1024
_COMPRESSED_MAGIC = {
    b"\x1f\x8b": "gz",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zst",
}


_Member = TypeVar("_Member", bound="_StrictTarInfo")
# tarfile's own errors for a header that does not parse, and for one it must not skip
# (typeshed does not list them).
_DAMAGED_HEADER: tuple[type[Exception], ...] = tuple(
    vars(tarfile)[name] for name in ("InvalidHeaderError", "TruncatedHeaderError")
)
_SUBSEQUENT_HEADER: type[Exception] = vars(tarfile)["SubsequentHeaderError"]


class _StrictTarInfo(tarfile.TarInfo):
    """A member header that does not parse, past the first, is damage, not the archive's end.

    tarfile ends a listing quietly at such a header, so a corrupted archive would read as a
    shorter, valid one.
    """

    @classmethod
    def fromtarfile(cls: type[_Member], archive: tarfile.TarFile) -> _Member:
        try:
            return super().fromtarfile(archive)
        except _DAMAGED_HEADER as exc:
            if archive.offset == 0:
                raise  # tarfile reports these itself
            raise _SUBSEQUENT_HEADER(f"damaged member header ({exc})") from None


class Artifact:
    """One file on disk, with cached views of its contents for format plugins.

    ``names()`` lists archive members (zip, tar in any compression, or ar); ``read()``
    returns one member's bytes. Both raise :class:`ArtifactError` naming the file when the
    archive is corrupt, so a plugin can call them without its own error handling.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"Artifact({str(self.path)!r})"

    @property
    def filename(self) -> str:
        return self.path.name

    @cached_property
    def size(self) -> int:
        return self.path.stat().st_size

    @cached_property
    def head(self) -> bytes:
        """The first few KiB of the file: enough for every magic number we sniff."""
        try:
            with self.path.open("rb") as stream:
                return stream.read(_HEAD_SIZE)
        except OSError as exc:
            raise ArtifactError(self.path, f"cannot be read ({exc.strerror})") from None

    @cached_property
    def compression(self) -> str | None:
        """``gz``, ``bz2``, ``xz`` or ``zst`` when the whole file is compressed."""
        for magic, name in _COMPRESSED_MAGIC.items():
            if self.head.startswith(magic):
                return name
        return None

    @cached_property
    def kind(self) -> ArchiveKind | None:
        """What kind of archive the content says this is, whatever the file is called."""
        head = self.head
        if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            return "zip"
        if head.startswith(b"!<arch>\n"):
            return "ar"
        if head.startswith(b"\xed\xab\xee\xdb"):
            return "rpm"
        if len(head) > 262 and head[257:262] == b"ustar":
            return "tar"
        if self.compression in ("gz", "bz2", "xz") and self._starts_with_tar():
            return "tar"
        return None

    def names(self) -> list[str]:
        """Member names of the archive, in archive order; empty for a non-archive."""
        return list(self._members)

    def has(self, name: str) -> bool:
        return name in self._members

    def read(self, name: str) -> bytes:
        """The bytes of one member; ``ArtifactError`` if it is absent or unreadable."""
        if name not in self._members:
            raise ArtifactError(self.path, f"has no {name} inside")
        try:
            if self.kind == "zip":
                with zipfile.ZipFile(self.path) as archive:
                    info = archive.getinfo(name)
                    self._check_size(name, info.file_size)
                    return archive.read(info)
            if self.kind == "tar":
                with tarfile.open(self.path, "r:*", tarinfo=_StrictTarInfo) as archive:
                    member = archive.getmember(name)
                    self._check_size(name, member.size)
                    extracted = archive.extractfile(member)
                    if extracted is None:
                        raise ArtifactError(self.path, f"{name} inside is not a regular file")
                    return extracted.read()
            if self.kind == "ar":
                offset, size = self._ar_index()[name]
                self._check_size(name, size)
                with self.path.open("rb") as stream:
                    stream.seek(offset)
                    return stream.read(size)
        except _ARCHIVE_ERRORS as exc:
            raise ArtifactError(self.path, f"is corrupt: cannot read {name} ({exc})") from None
        raise ArtifactError(self.path, f"has no {name} inside")

    def read_text(self, name: str) -> str:
        data = self.read(name)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ArtifactError(self.path, f"{name} inside is not UTF-8 text") from None

    def _check_size(self, name: str, size: int) -> None:
        if size > _MAX_MEMBER_BYTES:
            raise ArtifactError(self.path, f"{name} inside is implausibly large ({size} bytes)")

    @cached_property
    def _members(self) -> dict[str, None]:
        # A dict keeps archive order and gives O(1) membership tests.
        kind = self.kind
        try:
            if kind == "zip":
                with zipfile.ZipFile(self.path) as archive:
                    return dict.fromkeys(archive.namelist())
            if kind == "tar":
                with tarfile.open(self.path, "r:*", tarinfo=_StrictTarInfo) as archive:
                    members = archive.getmembers()
                if self.compression is None and members:
                    self._check_complete(members[-1])
                return dict.fromkeys(member.name for member in members)
            if kind == "ar":
                return dict.fromkeys(self._ar_index())
        except _ARCHIVE_ERRORS as exc:
            raise ArtifactError(
                self.path, f"is a corrupt or truncated {kind} archive ({exc})"
            ) from None
        return {}

    def _check_complete(self, last: tarfile.TarInfo) -> None:
        """A plain tar cut short ends without its end-of-archive block, which tarfile allows.

        A compressed one fails to decompress instead.
        """
        blocks = -(-last.size // tarfile.BLOCKSIZE)
        end = last.offset_data + blocks * tarfile.BLOCKSIZE
        if end + tarfile.BLOCKSIZE > self.size:
            raise ArtifactError(self.path, f"is a truncated tar archive (it ends in {last.name})")

    def _starts_with_tar(self) -> bool:
        try:
            with self._open_decompressed() as stream:
                block = stream.read(512)
        except _ARCHIVE_ERRORS:
            return False
        if len(block) < 512:
            return False
        if block[257:262] == b"ustar":
            return True
        try:
            # Old v7 tars have no magic: a header whose checksum adds up is one.
            tarfile.TarInfo.frombuf(block, tarfile.ENCODING, "surrogateescape")
        except tarfile.TarError:
            return False
        return True

    def _open_decompressed(self) -> BinaryIO:
        if self.compression == "gz":
            return cast(BinaryIO, gzip.open(self.path, "rb"))
        if self.compression == "bz2":
            return cast(BinaryIO, bz2.open(self.path, "rb"))
        return cast(BinaryIO, lzma.open(self.path, "rb"))

    def _ar_index(self) -> dict[str, tuple[int, int]]:
        """Member name to (offset, size), read from the headers without loading any data."""
        index: dict[str, tuple[int, int]] = {}
        total = self.size
        with self.path.open("rb") as stream:
            if stream.read(8) != b"!<arch>\n":
                raise ArtifactError(self.path, "is not an ar archive")
            while header := stream.read(60):
                if len(header) < 60 or header[58:60] != b"`\n":
                    raise ArtifactError(self.path, "is a corrupt or truncated ar archive")
                name = header[:16].decode("ascii", "replace").strip().rstrip("/")
                try:
                    size = int(header[48:58].decode("ascii").strip())
                except ValueError:
                    raise ArtifactError(self.path, "is a corrupt ar archive") from None
                offset = stream.tell()
                if offset + size > total:
                    raise ArtifactError(self.path, f"is truncated inside {name}")
                index[name] = (offset, size)
                stream.seek(size + size % 2, 1)
        return index
