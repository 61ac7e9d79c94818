"""A file to publish, read lazily and within limits.

Every format plugin sees the same :class:`Artifact`; its magic bytes, archive kind and
member listing are computed on first use and cached, so asking thirty plugins "is this
yours?" costs one scan of the file rather than thirty. Everything read from inside it,
archives inside it included, is charged to one :class:`~pubsmith.artifact.ReadLimits`
budget, so no file, however built, makes planning unpack gigabytes or run for minutes.
"""

from __future__ import annotations

import io
import posixpath
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import BinaryIO, Literal

from pubsmith._ar import ArMember, index_ar
from pubsmith._budget import Budget, MiB, ReadLimits
from pubsmith._streams import CHUNK, DataError, FileStream, Stream, Unsupported, Window, unpacking
from pubsmith._tar import TarMember, index_tar, is_tar_header
from pubsmith._zip import ZipMember, ends_like_zip, index_zip, open_zip_member
from pubsmith.errors import ArtifactError, ArtifactLimitError

__all__ = ["Archive", "ArchiveKind", "Artifact", "ReadLimits"]

ArchiveKind = Literal["zip", "tar", "ar", "rpm"]
_Member = TarMember | ZipMember | ArMember

_HEAD_SIZE = 4096
_COMPRESSED_MAGIC = {
    b"\x1f\x8b": "gz",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zst",
}
_CODEC_NAMES = {"gz": "gzip", "bz2": "bzip2", "xz": "xz", "zst": "zstd"}
# Members read more than once (by a plugin's recognise, then its read_metadata) come from
# memory the second time; only small ones, so the cache never holds much.
_CACHED_MEMBER = 1 * MiB
_CACHE_TOTAL = 4 * MiB
_LINK_HOPS = 16


class Archive:
    """The members of an archive: an :class:`Artifact`, or an archive inside one.

    ``names()`` lists members (zip, tar in any compression, or ar); ``read()`` returns one
    member's bytes, at most ``ReadLimits.member_bytes`` of them; ``nested()`` opens a
    member that is itself an archive. All raise :class:`ArtifactError` naming the file
    when it is corrupt or past its limits, so a plugin needs no error handling of its own.
    """

    path: Path
    #: The compressions under which a tar is looked for.
    _tar_compressions: tuple[str, ...] = ("gz", "bz2", "xz")
    _nested = False
    #: What messages about the archive as a whole start with: "" or "content.jar inside ".
    _prefix = ""

    def __init__(self) -> None:
        self._cache: dict[str, bytes] = {}
        self._listing: Mapping[str, _Member] | None = None
        self._listing_error: ArtifactError | None = None
        self._damage: str | None = None

    # What each kind of archive provides.
    @property
    def budget(self) -> Budget:
        raise NotImplementedError

    @property
    def head(self) -> bytes:
        """The first few KiB, as stored: enough for every magic number we sniff."""
        raise NotImplementedError

    def _raw(self) -> Stream:
        """The archive's bytes, as stored, from the start."""
        raise NotImplementedError

    def _seekable(self) -> tuple[BinaryIO, int]:
        """The archive's bytes as a seekable file (closed by the caller), and their length."""
        raise NotImplementedError

    def _label(self, name: str) -> str:
        """How messages name member ``name``: ``package.json inside``."""
        raise NotImplementedError

    def _zip_behind_a_stub(self) -> bool:
        """Whether content no magic number names is a zip with something before it."""
        return False

    # What plugins use.
    @cached_property
    def compression(self) -> str | None:
        """``gz``, ``bz2``, ``xz`` or ``zst`` when the whole content is compressed."""
        return _compression_of(self.head)

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
        if self.compression in self._tar_compressions and self._starts_with_tar():
            return "tar"
        if self._zip_behind_a_stub():
            return "zip"
        return None

    @property
    def damage(self) -> str | None:
        """Why content its first bytes call compressed does not decompress, if it does not.

        A message for the user: detection gives it rather than "not recognised".
        """
        _ = self.kind  # finding the kind is what tries
        return self._damage

    def names(self) -> list[str]:
        """Member names of the archive, in archive order; empty for a non-archive."""
        return list(self._index)

    def has(self, name: str) -> bool:
        return name in self._index

    def read(self, name: str, *, limit: int | None = None) -> bytes:
        """The bytes of one member; ``ArtifactError`` if absent, unreadable or too large.

        ``limit`` lowers the size allowed from ``ReadLimits.member_bytes``, for a document
        that will be parsed into objects many times its size.
        """
        limit = min(limit or self.budget.limits.member_bytes, self.budget.limits.member_bytes)
        label = self._label(name)
        if name in self._cache:
            if len(self._cache[name]) > limit:
                self.budget.too_large(label, limit)
            return self._cache[name]
        if self._member(name).size > limit:
            self.budget.too_large(label, limit)
        with self._reading(label), self._member_stream(name) as stream:
            data = _collect(stream, limit + 1)
        if len(data) > limit:
            self.budget.too_large(label, limit)
        if len(data) <= _CACHED_MEMBER and sum(map(len, self._cache.values())) < _CACHE_TOTAL:
            self._cache[name] = data
        return data

    def read_head(self, name: str, size: int) -> bytes:
        """The first ``size`` bytes of a member (all of it if shorter): for sniffing."""
        with self._reading(self._label(name)), self._member_stream(name) as stream:
            return stream.read_full(size)

    def read_text(self, name: str, *, limit: int | None = None) -> str:
        """A member as UTF-8 text; ``limit`` as for :meth:`read`."""
        data = self.read(name, limit=limit)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ArtifactError(self.path, f"{self._label(name)} is not UTF-8 text") from None

    def unpack(self, name: str) -> bytes:
        """A gzip-, bzip2-, xz- or zstd-compressed member, decompressed, within the limits."""
        label = self._label(name)
        compression = _compression_of(self.read_head(name, 8))
        if compression is None:
            problem = f"{label} is not compressed (with gzip, bzip2, xz or zstd)"
            raise ArtifactError(self.path, problem)
        limit = self.budget.limits.member_bytes
        with self._reading(label), self._unpacked(self._member_stream(name), compression) as s:
            data = _collect(s, limit + 1)
        if len(data) > limit:
            self.budget.too_large(label, limit)
        return data

    def nested(self, name: str) -> Archive:
        """Member ``name`` as an archive of its own (a tar in any compression, or a zip).

        What it unpacks counts against this artifact's budget, ``nested_bytes`` included.
        """
        inner = _Nested(self, name)
        if inner.kind in ("tar", "zip"):
            return inner
        label = self._label(name)
        if inner.compression:
            codec = _CODEC_NAMES[inner.compression]
            problem = f"{label} is corrupt: its {codec} data holds no tar archive"
        else:
            problem = f"{label} is not a tar or zip archive"
        raise ArtifactError(self.path, f"{problem}; rebuild it")

    # How it is done.
    @property
    def _index(self) -> Mapping[str, _Member]:
        """The listing, made once; a listing that failed fails again at once, not slowly."""
        if self._listing is None:
            if self._listing_error is not None:
                raise self._listing_error.with_traceback(None)
            try:
                self._listing = self._list()
            except ArtifactError as exc:
                self._listing_error = exc
                raise
        return self._listing

    def _list(self) -> Mapping[str, _Member]:
        kind, subject = self.kind, self._prefix
        try:
            if kind == "tar":
                # Inside an artifact, a member past the metadata budget is refused by name.
                largest = self.budget.limits.nested_bytes if self._nested else None
                with self._tar_stream() as stream:
                    return index_tar(
                        stream,
                        self.budget,
                        largest=largest,
                        label=self._label,
                        ended=self.compression is None,
                    )
            if kind in ("zip", "ar"):
                file, length = self._seekable()
                with file:
                    if kind == "zip":
                        return index_zip(file, length, self.budget)
                    return index_ar(file, length, self.budget)
        except DataError as exc:
            problem = f"{subject}is a corrupt or truncated {kind} archive ({exc})"
            raise ArtifactError(self.path, problem) from None
        except Unsupported as exc:
            problem = f"{subject}is a {kind} archive using {exc}, which pubsmith cannot read"
            raise ArtifactError(self.path, problem) from None
        except MemoryError:
            problem = f"ran out of memory listing {subject or 'its '}members; free some memory"
            raise ArtifactError(self.path, problem) from None
        except OSError as exc:
            raise ArtifactError(self.path, _unreadable(exc)) from None
        return {}

    @cached_property
    def _normalised(self) -> dict[str, str]:
        return {posixpath.normpath(name): name for name in self._index}

    def _member(self, name: str) -> _Member:
        """The member ``name`` names, links followed to what they point at."""
        member = self._index.get(name)
        if member is None:
            raise ArtifactError(self.path, f"has no {self._label(name)}")
        current = name
        for _ in range(_LINK_HOPS):
            if not (isinstance(member, TarMember) and member.kind in ("hardlink", "symlink")):
                return member
            target = member.link
            if member.kind == "symlink":
                target = posixpath.join(posixpath.dirname(current), target)
            found = self._normalised.get(posixpath.normpath(target))
            if found is None:
                raise ArtifactError(
                    self.path,
                    f"{self._label(name)} is a link to {member.link}, which is not in the "
                    "archive; rebuild it with the file the link points to",
                )
            current, member = found, self._index[found]
        raise ArtifactError(self.path, f"{self._label(name)} is a link in a loop; rebuild it")

    def _member_stream(self, name: str) -> Stream:
        """The uncompressed data of member ``name``, read front to back."""
        member = self._member(name)
        if isinstance(member, ZipMember):
            file, length = self._seekable()
            return open_zip_member(file, length, member, self.budget, nested=self._nested)
        if isinstance(member, ArMember):
            file, _ = self._seekable()
            return FileStream(file, member.offset, member.size)
        if member.kind == "sparse":
            raise Unsupported("GNU sparse storage")
        if member.kind != "file":
            raise ArtifactError(self.path, f"{self._label(name)} is not a regular file")
        stream = self._tar_stream()
        try:
            stream.skip(member.offset)
        except BaseException:
            stream.close()
            raise
        return Window(stream, member.size)

    def _tar_stream(self) -> Stream:
        raw = self._raw()
        compression = self.compression
        if compression is not None and compression in self._tar_compressions:
            return self._unpacked(raw, compression)
        return raw

    def _unpacked(self, stream: Stream, compression: str) -> Stream:
        what = self._prefix.strip() or "it"
        return unpacking(stream, compression, self.budget, nested=self._nested, what=what)

    def _starts_with_tar(self) -> bool:
        try:
            with self._tar_stream() as stream:
                block = stream.read_full(512)
        except ArtifactLimitError:
            raise
        except DataError as exc:
            codec = _CODEC_NAMES.get(self.compression or "", "compressed")
            self._damage = (
                f"{self._prefix}is {codec}-compressed but its data is damaged ({exc}); "
                "download or build it again"
            )
            return False
        except ArtifactError:
            return False
        return len(block) == 512 and (block[257:262] == b"ustar" or is_tar_header(block))

    @contextmanager
    def _reading(self, label: str) -> Iterator[None]:
        """Turn what reading a member can raise into one clear ``ArtifactError``."""
        try:
            yield
        except DataError as exc:
            raise ArtifactError(self.path, f"is corrupt: cannot read {label} ({exc})") from None
        except Unsupported as exc:
            problem = f"cannot read {label}: it uses {exc}, which pubsmith cannot read"
            raise ArtifactError(self.path, f"{problem}; rebuild it") from None
        except MemoryError:
            problem = f"ran out of memory reading {label}; free some memory and try again"
            raise ArtifactError(self.path, problem) from None
        except OSError as exc:
            raise ArtifactError(self.path, _unreadable(exc)) from None


class Artifact(Archive):
    """One file on disk, with cached views of its contents for format plugins.

    ``limits`` bounds what reading it may unpack and hold (see :class:`ReadLimits`).
    """

    def __init__(self, path: Path | str, limits: ReadLimits | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self._limits = limits or ReadLimits()

    def __repr__(self) -> str:
        return f"Artifact({str(self.path)!r})"

    @property
    def filename(self) -> str:
        return self.path.name

    @cached_property
    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError as exc:
            raise ArtifactError(self.path, _unreadable(exc)) from None

    @property
    def budget(self) -> Budget:
        return self._account

    @cached_property
    def _account(self) -> Budget:
        return Budget(self.path, self._limits, self.size)

    @property
    def refusal(self) -> ArtifactLimitError | None:
        """The first limit reading this file ran into, even if a plugin swallowed it."""
        return self._account.refusal if "_account" in self.__dict__ else None

    @cached_property
    def head(self) -> bytes:
        """The first few KiB of the file: enough for every magic number we sniff."""
        with self._open() as stream:
            try:
                return stream.read(_HEAD_SIZE)
            except OSError as exc:
                raise ArtifactError(self.path, _unreadable(exc)) from None

    def open_decompressed(self) -> io.BufferedReader:
        """The whole file, decompressed if it is compressed, read within the budget.

        For formats that are one compressed stream rather than an archive (a ``.nar.xz``).
        Reading raises :class:`ArtifactError` for damaged data or a budget passed.
        """
        stream = self._raw()
        if self.compression is not None:
            stream = self._unpacked(stream, self.compression)
        return io.BufferedReader(_Reader(stream, self.path), CHUNK)

    def _label(self, name: str) -> str:
        return f"{name} inside"

    def _zip_behind_a_stub(self) -> bool:
        if self.compression is not None:
            return False
        file, length = self._seekable()
        with file:
            return ends_like_zip(file, length)

    def _open(self) -> BinaryIO:
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise ArtifactError(self.path, _unreadable(exc)) from None

    def _raw(self) -> Stream:
        return FileStream(self._open(), 0, self.size)

    def _seekable(self) -> tuple[BinaryIO, int]:
        return self._open(), self.size


class _Nested(Archive):
    """A member of another archive, read as an archive (a deb's control.tar.zst)."""

    _tar_compressions = ("gz", "bz2", "xz", "zst")
    _nested = True

    def __init__(self, parent: Archive, name: str) -> None:
        super().__init__()
        self.path = parent.path
        self._parent, self._name = parent, name
        self._prefix = f"{name} inside "

    @property
    def budget(self) -> Budget:
        return self._parent.budget

    @cached_property
    def head(self) -> bytes:
        return self._parent.read_head(self._name, _HEAD_SIZE)

    def _label(self, name: str) -> str:
        return f"{name} inside {self._name}"

    def _raw(self) -> Stream:
        with self._parent._reading(self._parent._label(self._name)):
            return self._parent._member_stream(self._name)

    @cached_property
    def _bytes(self) -> bytes:
        # A zip is read from its end, so a zip inside a zip is held in memory (capped).
        return self._parent.read(self._name)

    def _seekable(self) -> tuple[BinaryIO, int]:
        return io.BytesIO(self._bytes), len(self._bytes)


class _Reader(io.RawIOBase):
    """A :class:`Stream` for code outside this package: errors become ``ArtifactError``."""

    def __init__(self, stream: Stream, path: Path) -> None:
        super().__init__()
        self._stream, self._path = stream, path

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            data = self._stream.read(len(buffer))
        except DataError as exc:
            raise ArtifactError(self._path, f"is corrupt or truncated ({exc})") from None
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


def _collect(stream: Stream, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``stream``, read a chunk at a time.

    Gathered in a BytesIO, whose value is handed over without a copy, rather than joined
    from a list: a 16 MiB member then costs 16 MiB at its peak, not 32.
    """
    buffer = io.BytesIO()
    while limit > 0 and (data := stream.read(min(limit, CHUNK))):
        buffer.write(data)
        limit -= len(data)
    return buffer.getvalue()


def _compression_of(head: bytes) -> str | None:
    return next((name for magic, name in _COMPRESSED_MAGIC.items() if head.startswith(magic)), None)


def _unreadable(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return f"cannot be read ({reason}); check its permissions and those of its folders"
