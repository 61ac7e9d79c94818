"""Alpine packages: apk-tools v2 ``.apk`` files, read from their ``.PKGINFO``.

A v2 package is two or three gzip streams (signature, control, data) whose tar segments
carry no end-of-archive marker, so they read as one tar. apk-tools v3 packages ("ADB"
files) are recognised only to be refused clearly. Android's ``.apk`` is a zip, never ours.
"""

from __future__ import annotations

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._parse import DOCUMENT_BYTES

__all__ = ["AlpineFormat", "pubsmith_register_format"]

# apk-tools v3 files start "ADB" plus a compression mark: none, deflate or custom.
_ADB_MAGICS = (b"ADB.", b"ADBd", b"ADBc")


class AlpineFormat(FormatPlugin):
    PLUGIN_NAME = "alpine"
    summary = "Alpine Linux packages (.apk from abuild or nfpm, apk-tools v2)"
    options = (
        Option(
            "distribution",
            "Distribution and release, such as alpine/v3.19 or alpine/any-version",
            required=True,
        ),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        if artifact.head.startswith(_ADB_MAGICS):
            # Four bytes of magic are little on their own; with the name they are apk-tools'.
            return Strength.SIGNATURE if artifact.filename.endswith(".apk") else Strength.NONE
        # abuild writes .PKGINFO into the control segment of every v2 package.
        if artifact.kind == "tar" and artifact.compression == "gz" and artifact.has(".PKGINFO"):
            return Strength.MARKER
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if artifact.head.startswith(_ADB_MAGICS):
            raise ArtifactError(
                artifact.path,
                "is an apk-tools v3 (ADB) package, which pubsmith cannot read; "
                "build a v2 package (abuild or nfpm) instead",
            )
        if artifact.kind != "tar" or not artifact.has(".PKGINFO"):
            raise ArtifactError(artifact.path, "is not an Alpine package (no .PKGINFO inside)")
        info = _parse_pkginfo(artifact)
        missing = [key for key in ("pkgname", "pkgver") if not info.get(key)]
        if missing:
            raise ArtifactError(artifact.path, f"has a .PKGINFO without {' or '.join(missing)}")
        return PackageInfo(name=info["pkgname"], version=info["pkgver"])


def _parse_pkginfo(artifact: Artifact) -> dict[str, str]:
    """``key = value`` lines by key; of a repeated key (``depend``, ...) the first wins."""
    fields: dict[str, str] = {}
    for line in artifact.read_text(".PKGINFO", limit=DOCUMENT_BYTES).splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, equals, value = line.partition(" = ")
        if not equals:
            problem = f"has a malformed .PKGINFO line {line.strip()[:60]!r}"
            raise ArtifactError(artifact.path, problem)
        fields.setdefault(key.strip(), value.strip())
    return fields


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return AlpineFormat
