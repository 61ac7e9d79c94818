"""Go modules: the module ``.zip`` whose every entry sits under ``<module>@<version>/``."""

from __future__ import annotations

import re

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import (
    find_member,
    matching,
    member_names,
    require_kind,
    safe_member_names,
)
from pubsmith_formats._parse import DOCUMENT_BYTES

__all__ = ["GoFormat", "pubsmith_register_format"]

_GO_MOD = r"[^@]+@v[^/]+/go\.mod$"
# [ \t], not \s: tried at every line start, \s* would run across lines and make the search
# quadratic in a file of blank lines.
_MODULE_DIRECTIVE = re.compile(r'^[ \t]*module[ \t]+"?([^\s"]+)"?[ \t]*(?://.*)?$', re.MULTILINE)
_VERSION = re.compile(r"^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+incompatible)?$")


class GoFormat(FormatPlugin):
    PLUGIN_NAME = "go"
    summary = "Go modules (.zip laid out as <module>@<version>/, as the module proxy serves)"

    def recognise(self, artifact: Artifact) -> Strength:
        # <module>@<version>/ is the layout the module proxy serves, and nothing else uses.
        if artifact.kind == "zip" and matching(safe_member_names(artifact), _GO_MOD):
            return Strength.MARKER
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(artifact, ("zip",), "is not a Go module zip (not a zip archive)")
        go_mod = find_member(
            artifact,
            _GO_MOD,
            "is not a Go module zip: it has no <module>@<version>/go.mod",
        )
        prefix = go_mod.removesuffix("go.mod")
        module, _, version = prefix.rstrip("/").rpartition("@")
        stray = next((name for name in member_names(artifact) if not name.startswith(prefix)), None)
        if stray is not None:
            raise ArtifactError(
                artifact.path, f"is not a Go module zip: {stray} lies outside {prefix}"
            )
        if not _VERSION.match(version):
            raise ArtifactError(
                artifact.path, f"has {version!r} as its version, which is not semver"
            )
        declared = _MODULE_DIRECTIVE.search(artifact.read_text(go_mod, limit=DOCUMENT_BYTES))
        if declared is None:
            raise ArtifactError(artifact.path, f"{go_mod} inside has no module directive")
        if declared.group(1) != module:
            raise ArtifactError(
                artifact.path,
                f"{go_mod} inside declares module {declared.group(1)}, "
                f"but the zip is laid out for {module}",
            )
        return PackageInfo(name=module, version=version)


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return GoFormat
