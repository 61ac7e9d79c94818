"""Python wheels and sdists, named by the METADATA or PKG-INFO inside them.

Name and version are exactly what that file says (``zope.interface``, ``1!2.0``), as PyPI
shows them. The file is read within the artifact's limits and only its headers go to
pkginfo: its body, the long description, can run to megabytes, and Python's e-mail
parser takes some 18 bytes of memory and half a microsecond for every byte it is given.
"""

from __future__ import annotations

import re

import pkginfo

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl

__all__ = ["PythonFormat", "pubsmith_register_format"]

_SDIST_PKG_INFO = re.compile(r"^[^/]+/PKG-INFO$")
_WHEEL = re.compile(r"^[^/]+\.dist-info/WHEEL$")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
# Metadata 1.x keeps the long description in a folded Description header, not the body.
_DESCRIPTION = re.compile(
    rb"^description:[^\n]*(?:\n[ \t][^\n]*)*\n?", re.IGNORECASE | re.MULTILINE
)
_MAX_HEADER_BYTES = 1024 * 1024
# pkginfo reads the shallowest candidate that declares a Metadata-Version; a few suffice.
_MAX_CANDIDATES = 4


class PythonFormat(FormatPlugin):
    PLUGIN_NAME = "python"
    summary = "Python wheels (.whl) and source distributions (.tar.gz, .zip)"

    def recognise(self, artifact: Artifact) -> Strength:
        if artifact.kind not in ("zip", "tar"):
            return Strength.NONE
        # A zip named .whl is a wheel to its name alone, even when it is too damaged to list:
        # read_metadata then says what is wrong with it.
        named = Strength.CONTAINER if artifact.filename.endswith(".whl") else Strength.NONE
        try:
            names = artifact.names()
        except ArtifactError:
            return named if artifact.kind == "zip" else Strength.NONE
        # Build backends write an sdist's PKG-INFO and a wheel's .dist-info/WHEEL; sdists of
        # Rust, PHP or infrastructure projects carry other formats' manifests beside them.
        if any(_SDIST_PKG_INFO.match(name) for name in names):
            return Strength.MARKER
        if artifact.kind == "zip" and any(_WHEEL.match(name) for name in names):
            return Strength.MARKER
        return named if artifact.kind == "zip" else Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if artifact.kind not in ("zip", "tar"):
            raise ArtifactError(
                artifact.path, "is not a wheel or an sdist (not a zip or tar archive)"
            )
        is_wheel = artifact.filename.endswith(".whl")
        names = artifact.names()
        if is_wheel and not any(name.endswith(".dist-info/METADATA") for name in names):
            raise ArtifactError(artifact.path, "is not a wheel: it has no .dist-info/METADATA")
        if not is_wheel and not any(_SDIST_PKG_INFO.match(name) for name in names):
            raise ArtifactError(
                artifact.path, "is not an sdist: it has no <name>-<version>/PKG-INFO"
            )
        distribution = _read(artifact, "METADATA" if is_wheel else "PKG-INFO")
        if not distribution.name or not distribution.version:
            raise ArtifactError(artifact.path, "has metadata without a Name or Version")
        return PackageInfo(name=distribution.name, version=distribution.version)


def _read(artifact: Artifact, filename: str) -> pkginfo.Distribution:
    """The metadata pkginfo would pick: the shallowest ``filename`` with a Metadata-Version."""
    candidates = sorted(
        (name for name in artifact.names() if name.rpartition("/")[2] == filename),
        key=lambda name: (name.count("/"), name),
    )
    for member in candidates[:_MAX_CANDIDATES]:
        headers = _headers(artifact, member)
        if b"Metadata-Version" in headers:
            distribution = pkginfo.Distribution()
            distribution.parse(headers)
            return distribution
    raise ArtifactError(artifact.path, f"has no {filename} with a Metadata-Version inside")


def _headers(artifact: Artifact, member: str) -> bytes:
    """The header section of a METADATA or PKG-INFO, without the long description."""
    data = artifact.read(member)
    end = _BLANK_LINE.search(data)
    headers = _DESCRIPTION.sub(b"", data[: end.start() + 1] if end else data)
    if len(headers) > _MAX_HEADER_BYTES:
        artifact.budget.refuse(
            f"{member} inside has implausibly large headers (over 1 MiB); "
            "check where the file came from"
        )
    return headers


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return PythonFormat
