"""Terraform modules: ``*.tf`` files in ``terraform-<provider>-<name>-<version>.tar.gz``."""

from __future__ import annotations

import re

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import find_member, matching, require_kind, safe_member_names

__all__ = ["TerraformFormat", "pubsmith_register_format"]

_SOURCES = r"([^/]+/)?[^/]+\.tf$"

# Registry module versions are semver; a name may hold hyphens but never a semver tail.
_FILE_NAME = re.compile(
    r"^terraform-(?P<provider>[a-z0-9]+)-(?P<name>[A-Za-z0-9_-]+?)"
    r"-v?(?P<version>\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)\.(?:tar\.gz|tgz)$"
)


class TerraformFormat(FormatPlugin):
    PLUGIN_NAME = "terraform"
    summary = "Terraform modules (terraform-<provider>-<name>-<version>.tar.gz of *.tf files)"

    def recognise(self, artifact: Artifact) -> Strength:
        # A module is just .tf files, which any project with infrastructure may carry.
        if artifact.kind == "tar" and matching(safe_member_names(artifact), _SOURCES):
            return Strength.CONTAINER
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(artifact, ("tar",), "is not a terraform module (not a tar archive)")
        find_member(
            artifact,
            _SOURCES,
            "is not a terraform module: it has no .tf files at its root",
        )
        # The module's files say nothing of its name or version: Cloudsmith reads the file name.
        match = _FILE_NAME.match(artifact.filename)
        if match is None:
            raise ArtifactError(
                artifact.path,
                "is not named terraform-<provider>-<name>-<version>.tar.gz, the only place a "
                "module's name and version live; rename it, e.g. terraform-aws-vpc-1.0.0.tar.gz",
            )
        return PackageInfo(name=match["name"], version=match["version"])


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return TerraformFormat
