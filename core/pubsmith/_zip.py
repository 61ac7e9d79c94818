"""A zip's central directory read entry by entry, and its members read within limits.

``zipfile`` builds an object per entry (a 100,000-entry jar costs it 70 MiB) and, asked for
a member whole, inflates up to 2 GiB in one call whatever size the entry declares. Here a
listing keeps only names and offsets, and a member is inflated chunk by chunk, never past
its declared size, its CRC checked at the end as ``zipfile`` checks it.
"""

from __future__ import annotations

import bz2
import lzma
import struct
import zlib
from typing import BinaryIO, NamedTuple, NoReturn

from pubsmith._budget import Budget, describe_size
from pubsmith._streams import (
    CODEC_ERRORS,
    XZ_MEMORY,
    DataError,
    Decompressing,
    FileStream,
    Inflating,
    Readable,
    Stream,
    Unsupported,
)

__all__ = ["ZipMember", "ends_like_zip", "index_zip", "open_zip_member"]

_END = b"PK\x05\x06"
_END_SIZE = 22
_END64 = b"PK\x06\x06"
_END64_SIZE = 56
_LOCATOR = b"PK\x06\x07"
_LOCATOR_SIZE = 20
_CENTRAL = struct.Struct("<4s6H3I5HII")
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"
_MAX_COMMENT = 0xFFFF
_WIDE = 0xFFFFFFFF
_UTF8_NAME = 0x800
_ENCRYPTED = 0x1
_STORED, _DEFLATED, _BZIP2, _LZMA = 0, 8, 12, 14


class ZipMember(NamedTuple):
    """Where one member's local header lies in the file, and how its data is stored."""

    offset: int
    compressed: int
    size: int
    method: int
    flags: int
    crc: int


def _end_record(file: BinaryIO, length: int) -> tuple[int, int, int, int]:
    """Entry count, central directory size and start, and the bytes prepended to the zip."""
    tail_size = min(length, _END_SIZE + _MAX_COMMENT)
    file.seek(length - tail_size)
    tail = file.read(tail_size)
    at = tail.rfind(_END, 0, len(tail) - _END_SIZE + 4)
    if at < 0:
        raise DataError("it has no end of central directory record")
    _, disk, directory_disk, _, entries, size, start, _ = struct.unpack(
        "<4s4H2IH", tail[at : at + _END_SIZE]
    )
    if disk or directory_disk:
        raise Unsupported("several disks (a split zip)")
    directory_end = length - tail_size + at
    if entries == 0xFFFF or _WIDE in (size, start):
        locator_at = directory_end - _LOCATOR_SIZE
        file.seek(max(locator_at, 0))
        if locator_at >= _END64_SIZE and file.read(4) == _LOCATOR:
            file.seek(locator_at - _END64_SIZE)
            record = file.read(_END64_SIZE)
            if record[:4] != _END64:
                raise DataError("its zip64 end of central directory record is damaged")
            entries, size, start = struct.unpack("<3Q", record[32:56])
            directory_end = locator_at - _END64_SIZE
    # Bytes before the zip (a self-extracting stub, a launcher script) shift every offset.
    shift = directory_end - size - start
    if shift < 0:
        raise DataError("its central directory lies outside the file")
    return entries, size, start + shift, shift


def ends_like_zip(file: BinaryIO, length: int) -> bool:
    """Whether the file ends in a zip's central directory: a zip behind a stub of its own
    (a self-running jar's launcher script, a self-extracting archive)."""
    try:
        _end_record(file, length)
    except (DataError, Unsupported):
        return False
    return True


def _zip64_sizes(extra: bytes, size: int, compressed: int, offset: int) -> tuple[int, int, int]:
    """The 64-bit values a zip64 extra field holds for fields set to 0xFFFFFFFF."""
    position = 0
    while position + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, position)
        if tag == 1:
            body = extra[position + 4 : position + 4 + length]
            values = list(struct.unpack_from(f"<{len(body) // 8}Q", body))
            try:
                size = values.pop(0) if size == _WIDE else size
                compressed = values.pop(0) if compressed == _WIDE else compressed
                offset = values.pop(0) if offset == _WIDE else offset
            except IndexError:
                raise DataError("a zip64 extra field is too short") from None
            break
        position += 4 + length
    return size, compressed, offset


def _too_many(budget: Budget) -> NoReturn:
    budget.refuse(
        f"has more than {budget.limits.members:,} members, more than pubsmith reads in a "
        "package; check where the file came from"
    )


def index_zip(file: BinaryIO, length: int, budget: Budget) -> dict[str, ZipMember]:
    """Every member of the zip in ``file`` by name, in central directory order.

    A name given twice maps to its last entry, as ``zipfile`` reads it.
    """
    limits = budget.limits
    entries, size, start, shift = _end_record(file, length)
    if entries > limits.members:
        _too_many(budget)
    members: dict[str, ZipMember] = {}
    file.seek(start)
    read = count = name_bytes = 0
    while read < size:
        fixed = file.read(_CENTRAL.size)
        if len(fixed) < _CENTRAL.size or not fixed.startswith(_CENTRAL_SIGNATURE):
            raise DataError(f"its central directory is damaged after {count} members")
        fields = _CENTRAL.unpack(fixed)
        flags, method, crc, compressed, unpacked = fields[3], fields[4], *fields[7:10]
        name_length, extra_length, comment_length, offset = *fields[10:13], fields[16]
        raw_name, extra = file.read(name_length), file.read(extra_length)
        file.seek(comment_length, 1)
        read += _CENTRAL.size + name_length + extra_length + comment_length
        if _WIDE in (unpacked, compressed, offset):
            unpacked, compressed, offset = _zip64_sizes(extra, unpacked, compressed, offset)
        name = raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437", "surrogateescape")
        name = name.split("\0", 1)[0]
        count += 1
        name_bytes += len(name)
        if count > limits.members:
            _too_many(budget)
        if name_bytes > limits.name_bytes:
            budget.refuse(
                f"has member names totalling more than {describe_size(limits.name_bytes)}, "
                "more than pubsmith reads in a package; check where the file came from"
            )
        members[name] = ZipMember(offset + shift, compressed, unpacked, method, flags, crc)
    return members


class _MemberStream(Stream):
    """One member's data, never past its declared size, its CRC checked on the last byte."""

    def __init__(
        self, codec: Readable, raw: Stream, member: ZipMember, budget: Budget, nested: bool
    ) -> None:
        super().__init__()
        self._codec, self._raw, self._member = codec, raw, member
        self._budget, self._nested = budget, nested
        self._crc = 0

    def _read(self, size: int) -> bytes:
        member = self._member
        wanted = min(size, member.size - self.position)
        if wanted <= 0:
            return b""
        try:
            data = self._codec.read(wanted)
        except CODEC_ERRORS as exc:
            raise DataError(" ".join(str(exc).split()) or "its data is damaged") from None
        if not data:
            raise DataError("its data ends before its declared size")
        if member.method != _STORED:
            self._budget.unpack(len(data), nested=self._nested)
        self._crc = zlib.crc32(data, self._crc)
        if self.position + len(data) == member.size and self._crc != member.crc:
            raise DataError("its data fails the CRC check")
        return data

    def close(self) -> None:
        self._raw.close()


def open_zip_member(
    file: BinaryIO, length: int, member: ZipMember, budget: Budget, *, nested: bool
) -> Stream:
    """A stream of ``member``'s uncompressed data, read from ``file`` (which it closes)."""
    file.seek(member.offset)
    local = file.read(30)
    if len(local) < 30 or not local.startswith(_LOCAL):
        file.close()
        raise DataError("its local header is missing or damaged")
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    start = member.offset + 30 + name_length + extra_length
    if start + member.compressed > length:
        file.close()
        raise DataError("it ends inside the member's data")
    raw = FileStream(file, start, member.compressed)
    try:
        codec = _codec(raw, member, budget)
    except BaseException:
        raw.close()
        raise
    return _MemberStream(codec, raw, member, budget, nested)


def _codec(raw: FileStream, member: ZipMember, budget: Budget) -> Readable:
    if member.flags & _ENCRYPTED:
        raise Unsupported("encryption")
    if member.method == _STORED:
        return raw
    if member.method == _DEFLATED:
        return Inflating(raw)
    if member.method == _BZIP2:
        return Decompressing(raw, bz2.BZ2Decompressor)
    if member.method == _LZMA:
        header = raw.read_full(4)
        properties = (
            raw.read_full(int.from_bytes(header[2:4], "little")) if len(header) == 4 else b""
        )
        if len(properties) != 5 or properties[0] >= 9 * 5 * 5:
            raise DataError("its LZMA properties are malformed")
        dictionary = int.from_bytes(properties[1:5], "little")
        if dictionary > XZ_MEMORY:
            budget.refuse(
                f"has a member LZMA-compressed with a dictionary over {describe_size(XZ_MEMORY)}, "
                "more than pubsmith allows; rebuild it with deflate"
            )
        filters = [
            {
                "id": lzma.FILTER_LZMA1,
                "dict_size": dictionary,
                "lc": properties[0] % 9,
                "lp": properties[0] // 9 % 5,
                "pb": properties[0] // 45,
            }
        ]
        return Decompressing(raw, lambda: lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=filters))
    raise Unsupported(f"compression method {member.method}")
