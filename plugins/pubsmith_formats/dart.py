"""Dart packages: the ``.tar.gz`` that ``dart pub`` publishes, ``pubspec.yaml`` at its root."""

from __future__ import annotations

from pubsmith import Artifact, FormatPlugin, PackageInfo, hookimpl
from pubsmith_formats._markers import (
    find_member,
    load_yaml,
    marked_format,
    require_kind,
    require_text,
)

__all__ = ["DartFormat", "pubsmith_register_format"]


class DartFormat(FormatPlugin):
    PLUGIN_NAME = "dart"
    summary = "Dart and Flutter packages (.tar.gz with pubspec.yaml at the root)"

    def recognise(self, artifact: Artifact) -> bool:
        return marked_format(artifact) == "dart"

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
