"""Swift packages: source archives as ``swift package archive-source`` writes them.

That is a zip whose entries all sit under one folder holding ``Package.swift``. The manifest
is Swift code, so nothing in it can be read reliably: scope, name and version come from the
user (the registry identity is ``SCOPE.NAME``).
"""

from __future__ import annotations

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl

__all__ = ["SwiftFormat"]

_MANIFEST = "Package.swift"


class SwiftFormat(FormatPlugin):
    PLUGIN_NAME = "swift"
    summary = "Swift packages (source .zip from swift package archive-source)"
    options = (
        Option("scope", "the registry scope, such as acme (it names SCOPE.NAME)", required=True),
        Option("name", "the package name in its scope, such as Greeting", required=True),
        Option("version", "the semantic version to publish, such as 1.0.0", required=True),
        Option("author_name", "Author's name"),
        Option("author_org", "Author's organisation"),
        Option("license_url", "URL of the license"),
        Option("readme_url", "URL of the README"),
        Option("repository_url", "URL of the source repository"),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        # archive-source zips the package folder, whose root holds Package.swift.
        return Strength.MANIFEST if _is_source_archive(artifact) else Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if not _is_source_archive(artifact):
            raise ArtifactError(
                artifact.path,
                "is not a Swift source archive (a zip with <Package>/Package.swift); "
                "make it with swift package archive-source",
            )
        return PackageInfo()


def _is_source_archive(artifact: Artifact) -> bool:
    if artifact.kind != "zip":
        return False
    names = artifact.names()
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1:
        return False
    top = tops.pop()
    # Version-specific manifests (Package@swift-5.9.swift) always come beside a plain one;
    # "@" in the folder is a Go module zip's <module>@<version>/ instead.
    return "@" not in top and f"{top}/{_MANIFEST}" in names


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return SwiftFormat
