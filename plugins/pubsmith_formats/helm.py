"""Helm charts: a ``.tgz`` holding ``<chart>/Chart.yaml``, signed by an optional ``.prov``."""

from __future__ import annotations

from pathlib import Path

from pubsmith import Artifact, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import (
    find_member,
    load_yaml,
    matching,
    require_kind,
    require_text,
    safe_member_names,
)

__all__ = ["HelmFormat", "pubsmith_register_format"]

_CHART = r"[^/]+/Chart\.yaml$"


class HelmFormat(FormatPlugin):
    PLUGIN_NAME = "helm"
    summary = "Helm charts (.tgz with <chart>/Chart.yaml, from helm package)"
    options = (
        Option(
            "provenance_file",
            "provenance (.prov) signing the chart (default: <chart>.tgz.prov beside it)",
            type="file",
        ),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        # helm package archives the chart folder: <chart>/Chart.yaml.
        if artifact.kind == "tar" and matching(safe_member_names(artifact), _CHART):
            return Strength.MANIFEST
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(
            artifact, ("tar",), "is not a helm chart (not a tar archive); make it with helm package"
        )
        member = find_member(artifact, _CHART, "is not a helm chart: it has no <chart>/Chart.yaml")
        chart = load_yaml(artifact, member)
        # Chart.yaml's appVersion is the packaged application's; the chart's own is version.
        return PackageInfo(
            name=require_text(artifact, chart, "name", member),
            version=require_text(artifact, chart, "version", member),
        )

    def find_companions(self, artifact: Artifact) -> dict[str, Path]:
        # `helm package --sign` writes the provenance as the chart's file name plus .prov.
        provenance = artifact.path.with_name(artifact.filename + ".prov")
        return {"provenance_file": provenance} if provenance.is_file() else {}


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return HelmFormat
