"""npm packages: the ``.tgz`` that ``npm pack`` writes, everything under one top folder.

``npm pack`` calls that folder ``package/``; npm itself strips whatever the one top folder
is called, and some published tarballs (``@types/ms``, ``@types/semver``) name it after the
package. Both are read, ``package/package.json`` first.
"""

from __future__ import annotations

import re

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, hookimpl
from pubsmith_formats._markers import (
    find_member,
    load_json,
    marked_format,
    member_names,
    require_kind,
    require_text,
    top_folder,
)

__all__ = ["NpmFormat", "pubsmith_register_format"]

_MANIFEST = "package/package.json"


class NpmFormat(FormatPlugin):
    PLUGIN_NAME = "npm"
    summary = "npm packages (.tgz from npm pack, with package/package.json)"
    options = (
        Option("npm_dist_tag", "dist-tag for this version, moved from any other (default: latest)"),
    )

    def recognise(self, artifact: Artifact) -> bool:
        return marked_format(artifact) == "npm"

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(
            artifact, ("tar",), "is not an npm package (not a tar archive); build it with npm pack"
        )
        manifest = _manifest(artifact)
        member = find_member(artifact, re.escape(manifest) + "$", f"has no {manifest}")
        data = load_json(artifact, member)
        return PackageInfo(
            name=require_text(artifact, data, "name", manifest),
            version=require_text(artifact, data, "version", manifest),
        )


def _manifest(artifact: Artifact) -> str:
    """``package/package.json``, or the package.json of the tarball's one top folder."""
    names = member_names(artifact)
    if _MANIFEST in names:
        return _MANIFEST
    top = top_folder(names)
    if top is not None and f"{top}/package.json" in names:
        return f"{top}/package.json"
    raise ArtifactError(
        artifact.path,
        f"is not an npm package: it has no {_MANIFEST} (nor a package.json in one top folder)",
    )


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return NpmFormat
