"""Archives built in tests beyond what pubsmith.testing, the plugin kit, builds.

The kit is the one source of tar (gzip or plain) and zip builders, damaged copies and
look-alikes, and the tests use it as third-party plugin authors do; here are only the
kinds it has no use for: tars in other compressions, and Unix ar archives.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections.abc import Callable, Mapping
from pathlib import Path

from pubsmith.testing import make_tar

__all__ = ["Members", "make_ar", "make_compressed_tar"]

Members = Mapping[str, "str | bytes"]
"""Member names and their contents; text is stored as UTF-8."""

_COMPRESSORS: dict[str | None, Callable[[bytes], bytes]] = {
    None: lambda data: data,
    # mtime=0: the same members make the same bytes, run after run.
    "gz": lambda data: gzip.compress(data, mtime=0),
    "bz2": bz2.compress,
    "xz": lzma.compress,
}


def _data(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def make_compressed_tar(path: Path, members: Members, compression: str | None) -> Path:
    """The kit's tar of ``members``, compressed with ``gz``, ``bz2`` or ``xz`` (None: plain)."""
    make_tar(path, members, compress=False)
    path.write_bytes(_COMPRESSORS[compression](path.read_bytes()))
    return path


def make_ar(path: Path, members: Members) -> Path:
    """A Unix ar archive (the container of a .deb) of ``members``, in order."""
    out = bytearray(b"!<arch>\n")
    for name, value in members.items():
        data = _data(value)
        header = f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(data):<10}`\n"
        out += header.encode() + data + (b"\n" if len(data) % 2 else b"")
    path.write_bytes(bytes(out))
    return path
