"""Archives built in tests: tar (plain or compressed), zip and ar, and broken copies."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["Members", "make_ar", "make_tar", "make_zip", "truncated_copy"]

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


def make_tar(path: Path, members: Members, *, compression: str | None = "gz") -> Path:
    """A ustar archive of ``members``, compressed with ``gz`` (the default), ``bz2``,
    ``xz``, or ``None`` for a plain tar."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, value in members.items():
            data = _data(value)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    path.write_bytes(_COMPRESSORS[compression](buffer.getvalue()))
    return path


def make_zip(path: Path, members: Members) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, value in members.items():
            archive.writestr(name, _data(value))
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


def truncated_copy(source: Path, target: Path, keep: float = 0.5) -> Path:
    """``source`` cut to the first ``keep`` share of its bytes, as a broken download is."""
    data = source.read_bytes()
    target.write_bytes(data[: max(1, int(len(data) * keep))])
    return target
