"""RPM packages, binary and source, read from their header.

``version`` is ``VERSION-RELEASE`` (``EPOCH:VERSION-RELEASE`` when an epoch is set), the
way ``rpm -q`` names a package. A source rpm is published exactly like a binary one; its
header merely lacks the SOURCERPM tag. The header is parsed here rather than with
``rpmfile`` so that every malformed or truncated file gets a precise message.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl

__all__ = ["RpmFormat", "pubsmith_register_format"]

_LEAD_MAGIC = b"\xed\xab\xee\xdb"
_LEAD_SIZE = 96
_HEADER_MAGIC = b"\x8e\xad\xe8\x01"
_MAX_ENTRIES = 65536
_MAX_STORE = 64 * 1024 * 1024
# NAME, VERSION and RELEASE are short; no string tag read here needs more.
_MAX_STRING = 64 * 1024
# Signature header tags: the size of main header plus payload, 32- and 64-bit.
_SIG_SIZE, _SIG_LONGSIZE = 1000, 270
_NAME, _VERSION, _RELEASE, _EPOCH = 1000, 1001, 1002, 1003
_INT32, _INT64, _STRING, _STRING_ARRAY, _I18NSTRING = 4, 5, 6, 8, 9


class RpmFormat(FormatPlugin):
    PLUGIN_NAME = "rpm"
    summary = "RPM packages, binary (.rpm) and source (.src.rpm)"
    options = (
        Option("distribution", "Distribution and release, such as el/9, fedora/40", required=True),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        # The lead's magic number.
        return Strength.SIGNATURE if artifact.kind == "rpm" else Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if artifact.kind != "rpm":
            raise ArtifactError(artifact.path, "is not an RPM package (no RPM lead magic)")
        with artifact.path.open("rb") as stream:
            stream.seek(_LEAD_SIZE)
            signature = _Header.read(stream, artifact.path, artifact.size)
            # The signature header is padded to an 8-byte boundary; the main one is not.
            stream.seek(signature.end + (8 - signature.size % 8) % 8)
            header_start = stream.tell()
            header = _Header.read(stream, artifact.path, artifact.size)
            signed_size = signature.integer(stream, _SIG_LONGSIZE) or signature.integer(
                stream, _SIG_SIZE
            )
            name, version, release = (
                header.string(stream, tag) for tag in (_NAME, _VERSION, _RELEASE)
            )
            epoch = header.integer(stream, _EPOCH)
        if signed_size is not None and header_start + signed_size > artifact.size:
            expected = header_start + signed_size
            raise ArtifactError(
                artifact.path, f"is truncated ({artifact.size} of {expected} bytes); rebuild it"
            )
        if not (name and version and release):
            raise ArtifactError(artifact.path, "has a header without NAME, VERSION or RELEASE")
        full_version = f"{version}-{release}" if epoch is None else f"{epoch}:{version}-{release}"
        return PackageInfo(name=name, version=full_version)


@dataclass(frozen=True)
class _Header:
    """One RPM header structure: its index (tag -> type, offset) and where its store lies.

    The store is not loaded: a package's file lists make it megabytes, and only a few short
    tags are wanted.
    """

    path: Path
    entries: dict[int, tuple[int, int]]
    start: int
    size: int

    @property
    def end(self) -> int:
        return self.start + self.size

    @classmethod
    def read(cls, stream: BinaryIO, path: Path, file_size: int) -> _Header:
        preamble = stream.read(16)
        if len(preamble) < 16:
            raise ArtifactError(path, "is truncated inside its RPM header; rebuild it")
        if preamble[:4] != _HEADER_MAGIC:
            raise ArtifactError(path, "is a corrupt RPM package (bad header magic)")
        count, size = struct.unpack(">II", preamble[8:])
        if count > _MAX_ENTRIES or size > _MAX_STORE:
            raise ArtifactError(path, "is a corrupt RPM package (implausible header size)")
        index = stream.read(16 * count)
        start = stream.tell()
        if len(index) < 16 * count or start + size > file_size:
            raise ArtifactError(path, "is truncated inside its RPM header; rebuild it")
        entries = {
            tag: (kind, offset) for tag, kind, offset, _ in struct.iter_unpack(">IIII", index)
        }
        return cls(path, entries, start, size)

    def string(self, stream: BinaryIO, tag: int) -> str | None:
        entry = self.entries.get(tag)
        if entry is None:
            return None
        kind, offset = entry
        data = self._at(stream, offset, _MAX_STRING) if offset < self.size else b""
        end = data.find(b"\0")
        if kind not in (_STRING, _STRING_ARRAY, _I18NSTRING) or end < 0:
            raise ArtifactError(self.path, f"has a malformed header entry for tag {tag}")
        return data[:end].decode("utf-8", "replace")

    def integer(self, stream: BinaryIO, tag: int) -> int | None:
        entry = self.entries.get(tag)
        if entry is None:
            return None
        kind, offset = entry
        layout = {_INT32: ">I", _INT64: ">Q"}.get(kind)
        if layout is None or offset + struct.calcsize(layout) > self.size:
            raise ArtifactError(self.path, f"has a malformed header entry for tag {tag}")
        value: int = struct.unpack(layout, self._at(stream, offset, struct.calcsize(layout)))[0]
        return value

    def _at(self, stream: BinaryIO, offset: int, count: int) -> bytes:
        stream.seek(self.start + offset)
        return stream.read(min(count, self.size - offset))


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return RpmFormat
