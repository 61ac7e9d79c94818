"""Rust crates: the ``.crate`` (a tar.gz of ``<name>-<version>/``) from ``cargo package``."""

from __future__ import annotations

import sys

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import find_member, matching, require_kind, safe_member_names

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["CargoFormat", "pubsmith_register_format"]

_MANIFEST = r"[^/]+/Cargo\.toml$"
# tomllib is pure Python: a hostile 1 MiB manifest takes it some 3 seconds, a real one is
# a few KiB (the largest, such as the windows crate's feature lists, a few hundred).
_MAX_MANIFEST_BYTES = 1024 * 1024


class CargoFormat(FormatPlugin):
    PLUGIN_NAME = "cargo"
    summary = "Rust crates (.crate from cargo package)"

    def recognise(self, artifact: Artifact) -> Strength:
        if artifact.kind != "tar":
            return Strength.NONE
        names = safe_member_names(artifact)
        # cargo package keeps the manifest as written beside the one it normalised: only
        # crates have both, where any Rust project (and its python sdist) has a Cargo.toml.
        if matching(names, r"[^/]+/Cargo\.toml\.orig$"):
            return Strength.MARKER
        # Crates packed by old cargo lack it; only their file name says what they are.
        if artifact.filename.endswith(".crate") and matching(names, _MANIFEST):
            return Strength.CONTAINER
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(
            artifact, ("tar",), "is not a crate (not a tar archive); build it with cargo package"
        )
        member = find_member(
            artifact, _MANIFEST, "is not a crate: it has no <name>-<version>/Cargo.toml"
        )
        try:
            manifest = tomllib.loads(artifact.read_text(member, limit=_MAX_MANIFEST_BYTES))
        except tomllib.TOMLDecodeError as exc:
            raise ArtifactError(
                artifact.path, f"{member} inside is not valid TOML ({exc})"
            ) from None
        except RecursionError:
            raise ArtifactError(
                artifact.path, f"{member} inside nests too deeply to be a Cargo manifest"
            ) from None
        package = manifest.get("package")
        if not isinstance(package, dict):
            raise ArtifactError(artifact.path, f"{member} inside has no [package] table")
        name, version = package.get("name"), package.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            # `version.workspace = true` survives only in hand-made crates: cargo package
            # writes the resolved values.
            raise ArtifactError(
                artifact.path,
                f"{member} inside has no literal [package] name and version; "
                "build the crate with cargo package",
            )
        return PackageInfo(name=name, version=version)


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return CargoFormat
