"""npm packages: the ``.tgz`` that ``npm pack`` writes, everything under ``package/``."""

from __future__ import annotations

from pubsmith import Artifact, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import (
    find_member,
    load_json,
    require_kind,
    require_text,
    safe_member_names,
)

__all__ = ["NpmFormat", "pubsmith_register_format"]

_MANIFEST = "package/package.json"


class NpmFormat(FormatPlugin):
    PLUGIN_NAME = "npm"
    summary = "npm packages (.tgz from npm pack, with package/package.json)"
    options = (
        Option("npm_dist_tag", "dist-tag for this version, moved from any other (default: latest)"),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        # npm pack puts everything under package/: a layout of its own.
        if artifact.kind == "tar" and _MANIFEST in safe_member_names(artifact):
            return Strength.MARKER
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(
            artifact, ("tar",), "is not an npm package (not a tar archive); build it with npm pack"
        )
        member = find_member(
            artifact, r"package/package\.json$", f"is not an npm package: it has no {_MANIFEST}"
        )
        manifest = load_json(artifact, member)
        return PackageInfo(
            name=require_text(artifact, manifest, "name", _MANIFEST),
            version=require_text(artifact, manifest, "version", _MANIFEST),
        )


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return NpmFormat
