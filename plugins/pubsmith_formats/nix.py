"""Nix archives: a NAR (plain or xz/bzip2/gzip/zstd compressed) and its ``.narinfo``.

A NAR holds only a file tree; the store path, and so the name and version, live in the
``<hash>.narinfo`` that names the NAR in its ``URL`` field. pubsmith looks for that
narinfo beside the NAR and one directory up (the layout ``nix copy --to file://DIR``
writes: ``DIR/<hash>.narinfo`` and ``DIR/nar/<filehash>.nar.xz``), or takes the one given
with ``-o narinfo_file=``. Without it the package has no name until Cloudsmith receives
the narinfo. The whole NAR is walked once so that a
truncated or corrupt archive is refused before upload.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, NoReturn

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._parse import read_file

__all__ = ["NixFormat", "pubsmith_register_format"]

_MAGIC = struct.pack("<Q", 13) + b"nix-archive-1\0\0\0"
_MAX_TOKEN = 4096
_MAX_DEPTH = 256
# A narinfo is a few lines and its references: KiBs, even for a closure's root.
_MAX_NARINFO_BYTES = 1024 * 1024
# A store path's name part is "<name>-<version>", split at the first dash before a digit.
_NAME_VERSION = re.compile(r"^(?P<name>.+?)-(?P<version>\d.*)$")


class NixFormat(FormatPlugin):
    PLUGIN_NAME = "nix"
    summary = "Nix archives (.nar, .nar.xz, ...) with their <hash>.narinfo"
    options = (
        Option("narinfo_file", "The <hash>.narinfo describing the NAR", type="file"),
        Option("version", "Version (default: from the narinfo's store path)"),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        # The NAR header: a length-prefixed "nix-archive-1", compressed or not.
        try:
            with artifact.open_decompressed() as stream:
                found = stream.read(len(_MAGIC)) == _MAGIC
        except (ArtifactError, OSError):
            return Strength.NONE
        return Strength.SIGNATURE if found else Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        # The artifact's reader decompresses within its budget and reports damage itself.
        try:
            with artifact.open_decompressed() as stream:
                if stream.read(len(_MAGIC)) != _MAGIC:
                    raise ArtifactError(artifact.path, "is not a Nix archive (no NAR header)")
                _Walker(stream, artifact.path).node(0)
                if stream.read(1):
                    raise ArtifactError(artifact.path, "has data after the end of its Nix archive")
        except OSError as exc:
            raise ArtifactError(artifact.path, f"cannot be read ({exc.strerror})") from None
        return PackageInfo()

    def read_companions(self, artifact: Artifact, values: Mapping[str, Any]) -> PackageInfo:
        narinfo = values.get("narinfo_file")
        if not isinstance(narinfo, Path):
            return PackageInfo()
        fields = _narinfo(narinfo)
        named = fields.get("URL", "").rpartition("/")[2]
        if named != artifact.filename:
            raise ArtifactError(
                narinfo, f"describes {named or 'no NAR'}, not {artifact.filename}; give its own"
            )
        store_name = fields.get("StorePath", "").rpartition("/")[2].partition("-")[2]
        match = _NAME_VERSION.match(store_name)
        if match is None:
            return PackageInfo(name=store_name or None)
        return PackageInfo(
            name=match["name"], version=match["version"], fields={"version": match["version"]}
        )

    def find_companions(self, artifact: Artifact) -> dict[str, Path]:
        folders = (artifact.path.parent, artifact.path.parent.parent)
        for candidate in (path for folder in folders for path in sorted(folder.glob("*.narinfo"))):
            if _narinfo(candidate).get("URL", "").rpartition("/")[2] == artifact.filename:
                return {"narinfo_file": candidate}
        return {}


def _narinfo(path: Path) -> dict[str, str]:
    try:
        text = read_file(path, _MAX_NARINFO_BYTES, "a narinfo").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArtifactError(path, f"is not a readable narinfo ({exc})") from None
    return {
        key.strip(): value.strip()
        for key, colon, value in (line.partition(":") for line in text.splitlines())
        if colon
    }


class _Walker:
    """Reads one NAR node after another, keeping nothing but checking every token."""

    def __init__(self, stream: IO[bytes], path: Path) -> None:
        self.stream = stream
        self.path = path

    def node(self, depth: int) -> None:
        if depth > _MAX_DEPTH:
            self._corrupt("directories nested too deep")
        self._expect(b"(", b"type")
        kind = self._token()
        if kind == b"regular":
            tag = self._token()
            if tag == b"executable":
                self._expect(b"")
                tag = self._token()
            if tag != b"contents":
                self._corrupt(f"expected contents, found {tag[:40]!r}")
            self._skip(self._length())
        elif kind == b"symlink":
            self._expect(b"target")
            self._token()
        elif kind == b"directory":
            while (tag := self._token()) == b"entry":
                self._expect(b"(", b"name")
                self._token()
                self._expect(b"node")
                self.node(depth + 1)
                self._expect(b")")
            if tag != b")":
                self._corrupt(f"expected entry, found {tag[:40]!r}")
            return
        else:
            self._corrupt(f"unknown node type {kind[:40]!r}")
        self._expect(b")")

    def _expect(self, *tokens: bytes) -> None:
        for token in tokens:
            found = self._token()
            if found != token:
                self._corrupt(f"expected {token!r}, found {found[:40]!r}")

    def _token(self) -> bytes:
        length = self._length()
        if length > _MAX_TOKEN:
            self._corrupt(f"a {length}-byte name")
        data = self._exact(length)
        self._exact(-length % 8)
        return data

    def _length(self) -> int:
        value: int = struct.unpack("<Q", self._exact(8))[0]
        return value

    def _skip(self, length: int) -> None:
        remaining = length + -length % 8
        while remaining:
            remaining -= len(self._exact(min(remaining, 1 << 20)))

    def _exact(self, count: int) -> bytes:
        data = self.stream.read(count)
        if len(data) < count:
            raise ArtifactError(self.path, "is a truncated Nix archive; rebuild it")
        return data

    def _corrupt(self, detail: str) -> NoReturn:
        raise ArtifactError(self.path, f"is a corrupt Nix archive ({detail})")


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return NixFormat
