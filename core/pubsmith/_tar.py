"""A tar's members listed in one pass over its headers, every extension bounded.

The standard library's ``tarfile`` reads a pax header or a GNU long name whole, whatever
size it declares, keeps every member it has seen, and spends some 50 microseconds on each
header; a 6 MB tarball of a million empty files then takes minutes and gigabytes. This
reads the same formats (ustar, GNU, pax, v7), keeps only what a member's data needs to be
found again (its offset in the uncompressed stream), and checks each extension's size
against the budget before reading it.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from typing import NamedTuple

from pubsmith._budget import Budget, describe_size
from pubsmith._streams import CHUNK, DataError, Stream

__all__ = ["TarMember", "index_tar", "is_tar_header"]

BLOCK = 512
_ZERO_BLOCK = bytes(BLOCK)
# Headers that describe the member after them: pax (extended, Solaris, global) and GNU
# long names and link targets.
_EXTENSIONS = (b"x", b"X", b"g", b"L", b"K")
_KINDS = {
    b"1": "hardlink",
    b"2": "symlink",
    b"3": "device",
    b"4": "device",
    b"5": "directory",
    b"6": "fifo",
    b"S": "sparse",
}
# pax keys that change what the next member is called, where it points or how long it is.
_PAX_KEYS = ("path", "linkpath", "size", "GNU.sparse.name", "GNU.sparse.major")


class TarMember(NamedTuple):
    """Where one member's data lies in the uncompressed tar, and what kind of entry it is.

    ``kind`` is ``file``, ``hardlink``, ``symlink``, ``directory``, ``sparse`` (GNU sparse
    files, whose data is a map of holes), ``device`` or ``fifo``.
    """

    offset: int
    size: int
    kind: str = "file"
    link: str = ""


def _padding(size: int) -> int:
    return -size % BLOCK


def _number(field: bytes) -> int:
    """A numeric header field: octal text, or GNU's base-256 for what octal cannot hold."""
    if field[:1] in (b"\x80", b"\xff"):
        value = int.from_bytes(field[1:], "big")
        return value - 256 ** (len(field) - 1) if field[0] == 0xFF else value
    return int(field.split(b"\0", 1)[0].strip() or b"0", 8)


def _text(field: bytes) -> str:
    # As tarfile does: UTF-8, with undecodable bytes kept as surrogates rather than lost.
    return field.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def is_tar_header(block: bytes) -> bool:
    """Whether ``block`` is a tar header whose checksum adds up (v7 tars have no magic)."""
    if len(block) != BLOCK or block == _ZERO_BLOCK:
        return False
    try:
        stored = _number(block[148:156])
    except ValueError:
        return False
    unsigned = _byte_sum(block) - sum(block[148:156]) + 8 * 32
    # Some old tars summed signed bytes; tarfile accepts both, and so does this.
    return stored == unsigned or stored == sum(struct.unpack("148b8x356b", block)) + 8 * 32


def _byte_sum(block: bytes) -> int:
    # Adler-32's low half is 1 + the byte sum modulo 65521, which 256 bytes cannot reach:
    # the exact sum in C, where sum() takes 5 microseconds of a header's 10.
    return (zlib.adler32(block[:256]) & 0xFFFF) + (zlib.adler32(block[256:]) & 0xFFFF) - 2


def _pax_records(data: bytes) -> dict[str, str]:
    """The ``length key=value`` records of a pax header that say where a member is."""
    records: dict[str, str] = {}
    position = 0
    while position < len(data) and data[position] != 0:
        length_text, space, _ = data[position : position + 24].partition(b" ")
        if not space or not length_text.isdigit() or int(length_text) <= len(length_text) + 1:
            raise DataError("a pax header is malformed")
        end = position + int(length_text)
        record = data[position + len(length_text) + 1 : end]
        if end > len(data) or not record.endswith(b"\n"):
            raise DataError("a pax header is malformed")
        key, equals, value = record[:-1].partition(b"=")
        name = key.decode("utf-8", "replace")
        if equals and name in _PAX_KEYS:
            records[name] = value.decode("utf-8", "surrogateescape")
        position = end
    return records


def _header_name(header: bytes) -> str:
    name = _text(header[0:100])
    # POSIX ustar splits a long path into prefix and name; GNU tars keep times there.
    if header[257:263] == b"ustar\x00":
        prefix = _text(header[345:500])
        if prefix:
            return f"{prefix}/{name}"
    return name


class _Blocks:
    """A tar stream served in blocks from a buffer filled a chunk at a time.

    Headers are 512 bytes; reading each through the decompressor would cost more than
    parsing it.
    """

    def __init__(self, stream: Stream) -> None:
        self._stream = stream
        self._buffer = b""
        self._at = 0
        #: Offset in the uncompressed tar of the next byte to be taken.
        self.position = stream.position

    def take(self, size: int) -> bytes:
        """The next ``size`` bytes, or fewer only where the stream ends."""
        end = self._at + size
        if end <= len(self._buffer):
            data = self._buffer[self._at : end]
            self._at = end
        else:
            rest = self._buffer[self._at :]
            data = rest + self._stream.read_full(size - len(rest))
            self._buffer, self._at = self._stream.read(CHUNK), 0
        self.position += len(data)
        return data

    def skip(self, size: int) -> None:
        left = len(self._buffer) - self._at
        if size <= left:
            self._at += size
        else:
            self._stream.skip(size - left)
            self._buffer, self._at = b"", 0
        self.position += size


def index_tar(
    stream: Stream,
    budget: Budget,
    *,
    largest: int | None = None,
    label: Callable[[str], str] = str,
    ended: bool = False,
) -> dict[str, TarMember]:
    """Every member of the tar ``stream`` by name, in archive order, headers read once.

    A name given twice maps to its last member, as tar extracts it. A member declaring
    more than ``largest`` bytes is refused at once, named by ``label``: for archives
    inside an artifact, whose metadata budget it would exhaust anyway. With ``ended``,
    the archive must close with its end-of-archive block: a plain tar cut off between two
    members otherwise reads as a shorter, valid one (a compressed tar cut off fails to
    decompress instead, and apk's parts carry no end block). Raises :class:`DataError`
    for a damaged or cut-off archive, and the budget's error for one past its limits.
    """
    limits = budget.limits
    members: dict[str, TarMember] = {}
    pending: dict[str, str] = {}
    count = name_bytes = 0
    last = ""
    blocks = _Blocks(stream)
    while True:
        header = blocks.take(BLOCK)
        if not header:
            if ended and (count or pending):
                after = f" after {last}" if last else ""
                raise DataError(f"it ends{after} without the end-of-archive block")
            break
        if len(header) < BLOCK:
            raise DataError("it ends inside a header")
        if header == _ZERO_BLOCK:
            break
        if not is_tar_header(header):
            raise DataError(f"the header after {count} members is damaged")
        kind_byte = header[156:157]
        try:
            size = _number(header[124:136])
        except ValueError:
            size = -1
        if size < 0:
            raise DataError(f"the header after {count} members has a malformed size")
        if kind_byte in _EXTENSIONS:
            pending.update(_extension(blocks, kind_byte, size, budget))
            continue
        if kind_byte == b"S":
            _skip_sparse_map(blocks, header, budget)
        name, kind, size, link = _member(header, kind_byte, size, pending)
        pending = {}
        count += 1
        name_bytes += len(name)
        if count > limits.members:
            budget.refuse(
                f"has more than {limits.members:,} members, more than pubsmith reads in a "
                "package; check where the file came from"
            )
        if name_bytes > limits.name_bytes:
            budget.refuse(
                f"has member names totalling more than {describe_size(limits.name_bytes)}, "
                "more than pubsmith reads in a package; check where the file came from"
            )
        if largest is not None and size > largest:
            budget.refuse(
                f"{label(name)} is implausibly large ({describe_size(size)}); "
                "check where the file came from"
            )
        members[name] = TarMember(blocks.position, size, kind, link)
        last = name
        if kind in ("file", "sparse"):
            blocks.skip(size + _padding(size))
    return members


def _extension(blocks: _Blocks, kind_byte: bytes, size: int, budget: Budget) -> dict[str, str]:
    """What a pax header or GNU long name says of the member after it."""
    if size > budget.limits.header_bytes:
        budget.refuse(
            f"has a tar header extension of {size} bytes, implausibly large (over "
            f"{describe_size(budget.limits.header_bytes)}); check where the file came from"
        )
    data = blocks.take(size)
    if len(data) < size:
        raise DataError("it ends inside a header")
    blocks.skip(_padding(size))
    if kind_byte == b"L":
        return {"path": _text(data)}
    if kind_byte == b"K":
        return {"linkpath": _text(data)}
    return _pax_records(data) if kind_byte in (b"x", b"X") else {}  # global pax: a comment


def _member(
    header: bytes, kind_byte: bytes, size: int, pending: dict[str, str]
) -> tuple[str, str, int, str]:
    """Name, kind, size and link target of a member, pax and GNU extensions applied."""
    kind = _KINDS.get(kind_byte, "file")
    link = _text(header[157:257]) if kind in ("hardlink", "symlink") else ""
    if not pending:
        name = _header_name(header)
    else:
        name = pending.get("GNU.sparse.name") or pending.get("path") or _header_name(header)
        link = pending.get("linkpath", link)
        if kind == "file" and "GNU.sparse.major" in pending:
            kind = "sparse"
        if "size" in pending:
            try:
                size = int(pending["size"])
            except ValueError:
                raise DataError("a pax header has a malformed size") from None
    if kind == "file" and kind_byte == b"\0" and name.endswith("/"):
        kind = "directory"  # v7 tars mark directories by a trailing slash only
    if kind == "directory":
        name = name.rstrip("/")
    return name, kind, size, link


def _skip_sparse_map(blocks: _Blocks, header: bytes, budget: Budget) -> None:
    """Skip the extension blocks an old GNU sparse header says follow it."""
    extended, read = header[482], 0
    while extended:
        block = blocks.take(BLOCK)
        read += BLOCK
        if len(block) < BLOCK:
            raise DataError("it ends inside a header")
        if read > budget.limits.header_bytes:
            budget.refuse(
                "has a sparse file map implausibly large (over "
                f"{describe_size(budget.limits.header_bytes)}); check where the file came from"
            )
        extended = block[504]
