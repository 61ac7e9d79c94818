"""npm packages: the ``.tgz`` that ``npm pack`` writes, everything under one top folder.

``npm pack`` calls that folder ``package/``; npm itself strips whatever the one top folder
is called, and some published tarballs (``@types/ms``, ``@types/semver``) name it after the
package. Both are read, ``package/package.json`` first.
"""

from __future__ import annotations

import re

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import (
    find_member,
    load_json,
    member_names,
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
        if artifact.kind != "tar":
            return Strength.NONE
        names = safe_member_names(artifact)
        # npm pack puts everything under package/: a layout of its own.
        if _MANIFEST in names:
            return Strength.MARKER
        # npm installs any tarball's one folder, but a chart, a crate, an sdist or a
        # terraform module kept in one folder may carry a package.json for its tooling:
        # theirs, whenever their plugins claim them at all.
        if _folder_manifest(names) is not None:
            return Strength.FALLBACK
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(
            artifact, ("tar",), "is not an npm package (not a tar archive); build it with npm pack"
        )
        names = member_names(artifact)
        manifest = _MANIFEST if _MANIFEST in names else _folder_manifest(names)
        if manifest is None:
            raise ArtifactError(
                artifact.path,
                f"is not an npm package: it has no {_MANIFEST} (nor a package.json in one top "
                "folder)",
            )
        member = find_member(artifact, re.escape(manifest) + "$", f"has no {manifest}")
        data = load_json(artifact, member)
        return PackageInfo(
            name=require_text(artifact, data, "name", manifest),
            version=require_text(artifact, data, "version", manifest),
        )


def _folder_manifest(names: list[str]) -> str | None:
    """The package.json of the one folder every member sits in, if there is one."""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1 or not any("/" in name for name in names):
        return None
    manifest = f"{tops.pop()}/package.json"
    return manifest if manifest in names else None


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return NpmFormat
