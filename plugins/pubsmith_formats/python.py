"""Python wheels and sdists, read with pkginfo."""

from __future__ import annotations

import re
import tarfile
import zipfile
import zlib
from pathlib import Path

import pkginfo

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl

__all__ = ["PythonFormat", "pubsmith_register_format"]

_SDIST_PKG_INFO = re.compile(r"^[^/]+/PKG-INFO$")
_WHEEL = re.compile(r"^[^/]+\.dist-info/WHEEL$")


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
        if is_wheel and not any(name.endswith(".dist-info/METADATA") for name in artifact.names()):
            raise ArtifactError(artifact.path, "is not a wheel: it has no .dist-info/METADATA")
        if not is_wheel and not any(_SDIST_PKG_INFO.match(name) for name in artifact.names()):
            raise ArtifactError(
                artifact.path, "is not an sdist: it has no <name>-<version>/PKG-INFO"
            )
        distribution = _read(artifact.path, is_wheel)
        if not distribution.name or not distribution.version:
            raise ArtifactError(artifact.path, "has metadata without a Name or Version")
        return PackageInfo(name=distribution.name, version=distribution.version)


def _read(path: Path, is_wheel: bool) -> pkginfo.Distribution:
    try:
        return pkginfo.Wheel(str(path)) if is_wheel else pkginfo.SDist(str(path))
    except (ValueError, OSError, zipfile.BadZipFile, tarfile.TarError, zlib.error) as exc:
        raise ArtifactError(path, f"has unreadable Python metadata ({exc})") from None


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return PythonFormat
