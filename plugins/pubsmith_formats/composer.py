"""Composer (PHP) packages: a ``.zip`` with ``composer.json`` at its root or one folder down."""

from __future__ import annotations

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import (
    find_member,
    load_json,
    matching,
    require_kind,
    require_text,
    safe_member_names,
)

__all__ = ["ComposerFormat", "pubsmith_register_format"]

_MANIFEST = r"([^/]+/)?composer\.json$"


class ComposerFormat(FormatPlugin):
    PLUGIN_NAME = "composer"
    summary = "Composer packages (.zip from composer archive, with composer.json)"
    # Most composer.json files leave version out (Packagist takes it from VCS tags); the API
    # and Cloudsmith's CLI leave it optional too, so nobody's version is sent unless stated.
    options = (Option("version", "package version (default: composer.json's, if it states one)"),)

    def recognise(self, artifact: Artifact) -> Strength:
        # Any PHP project carries a composer.json, inside other formats' archives too.
        if artifact.kind == "zip" and matching(safe_member_names(artifact), _MANIFEST):
            return Strength.CONTAINER
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(
            artifact, ("zip",), "is not a composer package (not a zip); use composer archive"
        )
        member = find_member(
            artifact,
            _MANIFEST,
            "is not a composer package: it has no composer.json at its root or one folder down",
        )
        manifest = load_json(artifact, member)
        name = require_text(artifact, manifest, "name", member)
        if name.count("/") != 1:
            raise ArtifactError(
                artifact.path, f"{member} inside names the package {name!r}, not vendor/package"
            )
        version = manifest.get("version")
        if not isinstance(version, str) or not version.strip():
            return PackageInfo(name=name)
        return PackageInfo(name=name, version=version.strip(), fields={"version": version.strip()})


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return ComposerFormat
