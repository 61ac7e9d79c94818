"""Small archives built in tests: look-alikes of each format, and broken artifacts.

Every look-alike holds just the marker member its format is told apart by, so a test can
check that a plugin claims its own kind and no one else's.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from pubsmith import Artifact

__all__ = ["LOOKALIKES", "lookalike", "make_tar", "make_zip", "truncated_copy"]

Members = Mapping[str, "str | bytes"]

LOOKALIKES: dict[str, tuple[str, Members]] = {
    "npm": ("tgz", {"package/package.json": '{"name": "left", "version": "1.0.0"}'}),
    "helm": ("tgz", {"chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 0.1.0\n"}),
    "dart": ("tgz", {"pubspec.yaml": "name: dartish\nversion: 1.0.0\n", "lib/a.dart": ""}),
    "cocoapods": ("tgz", {"Pod/Pod.podspec.json": '{"name": "Pod", "version": "1.0"}'}),
    "terraform": ("tgz", {"main.tf": 'variable "x" {}\n'}),
    "python-sdist": (
        "tgz",
        {
            "thing-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: thing\nVersion: 1.0\n",
            # sdists of Rust, PHP or infrastructure helpers carry other formats' files too.
            "thing-1.0/Cargo.toml": '[package]\nname = "thing"\nversion = "1.0.0"\n',
            "thing-1.0/composer.json": '{"name": "a/thing"}',
            "thing-1.0/main.tf": "",
        },
    ),
    "cargo": (
        "tgz",
        {
            "crab-0.1.0/Cargo.toml": '[package]\nname = "crab"\nversion = "0.1.0"\n',
            "crab-0.1.0/Cargo.toml.orig": '[package]\nname = "crab"\nversion = "0.1.0"\n',
        },
    ),
    "cran": (
        "tgz",
        {"rpkg/DESCRIPTION": "Package: rpkg\nVersion: 0.1\n", "rpkg/NAMESPACE": "export(f)\n"},
    ),
    "hex": (
        "tar",
        {
            "VERSION": "3",
            "CHECKSUM": "0" * 64,
            "metadata.config": '{<<"name">>,<<"hexy">>}.\n{<<"version">>,<<"1.0.0">>}.\n',
            "contents.tar.gz": b"",
        },
    ),
    "composer": ("zip", {"composer.json": '{"name": "acme/thing", "version": "1.0.0"}'}),
    "go": ("zip", {"example.com/mod@v1.0.0/go.mod": "module example.com/mod\n"}),
    "luarocks": ("zip", {"thing-1.0-1.rockspec": 'package = "thing"\nversion = "1.0-1"\n'}),
    "wheel": ("zip", {"thing-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\n"}),
    "plain-zip": ("zip", {"readme.txt": "hello\n", "docs/guide.md": "# Guide\n"}),
    "plain-tgz": ("tgz", {"notes/readme.txt": "hello\n"}),
}


def _data(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else value


def make_tar(path: Path, members: Members, *, compress: bool = True) -> Path:
    """A tar (gzip-compressed unless ``compress`` is false) holding ``members``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, value in members.items():
            data = _data(value)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    raw = buffer.getvalue()
    path.write_bytes(gzip.compress(raw, mtime=0) if compress else raw)
    return path


def make_zip(path: Path, members: Members) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, value in members.items():
            archive.writestr(name, _data(value))
    return path


def lookalike(tmp_path: Path, kind: str) -> Artifact:
    """An :class:`Artifact` of the ``LOOKALIKES[kind]`` archive, written under ``tmp_path``."""
    container, members = LOOKALIKES[kind]
    if container == "zip":
        return Artifact(make_zip(tmp_path / f"{kind}.zip", members))
    suffix = "tar" if container == "tar" else "tgz"
    return Artifact(make_tar(tmp_path / f"{kind}.{suffix}", members, compress=container == "tgz"))


def truncated_copy(source: Path, target: Path, keep: float = 0.5) -> Path:
    """``source`` cut to the first ``keep`` share of its bytes, as a broken download is."""
    data = source.read_bytes()
    target.write_bytes(data[: max(1, int(len(data) * keep))])
    return target
