"""Composer (PHP) packages: a ``.zip`` with ``composer.json`` at its root or one folder down."""

from __future__ import annotations

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, hookimpl
from pubsmith_formats._markers import (
    find_member,
    load_json,
    marked_format,
    require_kind,
    require_text,
)

__all__ = ["ComposerFormat", "pubsmith_register_format"]


class ComposerFormat(FormatPlugin):
    PLUGIN_NAME = "composer"
    summary = "Composer packages (.zip from composer archive, with composer.json)"
    # The API leaves version optional, but a package needs one and most composer.json files
    # omit it (Packagist takes it from VCS tags): asking here beats a failed sync later.
    options = (
        Option("version", "package version (default: composer.json's version)", required=True),
    )

    def recognise(self, artifact: Artifact) -> bool:
        return marked_format(artifact) == "composer"

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(
            artifact, ("zip",), "is not a composer package (not a zip); use composer archive"
        )
        member = find_member(
            artifact,
            r"([^/]+/)?composer\.json$",
            "is not a composer package: it has no composer.json at its root or one folder down",
        )
        manifest = load_json(artifact, member)
        name = require_text(artifact, manifest, "name", member)
        if name.count("/") != 1:
            raise ArtifactError(
                artifact.path, f"{member} inside names the package {name!r}, not vendor/package"
            )
        version = manifest.get("version")
        return PackageInfo(name=name, version=version if isinstance(version, str) else None)


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return ComposerFormat
