"""Many distinct, valid artifacts made cheaply from the real fixtures.

A fixture archive is rebuilt with its version replaced in every member name and every
small text member, so ``acme_greeting-1.2.0-py3-none-any.whl`` becomes a wheel of
``acme-greeting 1.2.107`` named ``acme_greeting-1.2.107-py3-none-any.whl``: still a real
artifact of its format (the sandbox opens it with the format's plugin), with its own name,
version and filename.
"""

from __future__ import annotations

import bz2
import gzip
import io
import re
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.catalog import Fixture, fixture

__all__ = ["RESTAMPABLE", "Made", "make_mixed", "restamp"]

# Archive formats detected from content, needing no per-package option, whose version
# appears literally in the file name and metadata.
RESTAMPABLE = (
    "acme_greeting-1.2.0-py3-none-any.whl",
    "acme_greeting-1.2.0.tar.gz",
    "acme-greeting-2.1.0.tgz",
    "acme-tally-0.5.0.crate",
    "acme-web-0.3.1.tgz",
    "acmestats_0.2.0.tar.gz",
    "acme_hello-1.0.2.tar.gz",
    "terraform-aws-acme-bucket-1.2.0.tar.gz",
    "acme-greeting-0.2.0.mcpb",
    "acme-greeting-0.4.2.vsix",
)
_TEXT_LIMIT = 256 * 1024


@dataclass(frozen=True)
class Made:
    path: Path
    format: str
    name: str
    version: str


def restamp(source: Fixture, version: str, directory: Path) -> Made:
    """A copy of ``source`` with its version replaced by ``version``, in ``directory``."""
    old = source.version
    target = directory / source.path.name.replace(old, version)
    data = source.path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        target.write_bytes(_zip(data, old, version))
    else:
        target.write_bytes(_tar(data, old, version))
    return Made(target, source.format, source.name, version)


def make_mixed(directory: Path, count: int) -> list[Made]:
    """``count`` artifacts cycling through :data:`RESTAMPABLE`, each with its own version."""
    directory.mkdir(parents=True, exist_ok=True)
    sources = [fixture(name) for name in RESTAMPABLE]
    made = []
    for index in range(count):
        source = sources[index % len(sources)]
        major_minor = re.match(r"^(\d+\.\d+)\.", source.version)
        assert major_minor, source.version
        made.append(restamp(source, f"{major_minor[1]}.{100 + index}", directory))
    return made


def _swap(data: bytes, old: str, new: str) -> bytes:
    if len(data) > _TEXT_LIMIT:
        return data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return text.replace(old, new).encode("utf-8")


def _zip(data: bytes, old: str, new: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            copy = zipfile.ZipInfo(info.filename.replace(old, new), info.date_time)
            copy.external_attr = info.external_attr
            copy.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(copy, _swap(source.read(info), old, new))
    return out.getvalue()


def _tar(data: bytes, old: str, new: str) -> bytes:
    if data[:2] == b"\x1f\x8b":
        raw, pack = gzip.decompress(data), lambda b: gzip.compress(b, mtime=0)
    elif data[:3] == b"BZh":
        raw, pack = bz2.decompress(data), bz2.compress
    else:
        raw, pack = data, lambda b: b
    out = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(raw)) as source,
        tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as target,
    ):
        for member in source.getmembers():
            member.name = member.name.replace(old, new)
            if member.isfile():
                handle = source.extractfile(member)
                assert handle is not None
                content = _swap(handle.read(), old, new)
                member.size = len(content)
                target.addfile(member, io.BytesIO(content))
            else:
                target.addfile(member)
    return pack(out.getvalue())
