"""Dart packages: the ``.tar.gz`` that ``dart pub`` publishes, ``pubspec.yaml`` at its root."""

from __future__ import annotations

from pubsmith import Artifact, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import (
    find_member,
    load_yaml,
    require_kind,
    require_text,
    safe_member_names,
)

__all__ = ["DartFormat", "pubsmith_register_format"]


class DartFormat(FormatPlugin):
    PLUGIN_NAME = "dart"
    summary = "Dart and Flutter packages (.tar.gz with pubspec.yaml at the root)"

    def recognise(self, artifact: Artifact) -> Strength:
        # dart pub archives the package folder itself: its pubspec.yaml sits at the root.
        if artifact.kind == "tar" and "pubspec.yaml" in safe_member_names(artifact):
            return Strength.MANIFEST
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(artifact, ("tar",), "is not a dart package (not a tar archive)")
        member = find_member(
            artifact, r"pubspec\.yaml$", "is not a dart package: it has no pubspec.yaml at its root"
        )
        pubspec = load_yaml(artifact, member)
        return PackageInfo(
            name=require_text(artifact, pubspec, "name", "pubspec.yaml"),
            version=require_text(artifact, pubspec, "version", "pubspec.yaml"),
        )


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return DartFormat
