from __future__ import annotations

import json
from pathlib import Path

from pubsmith import (
    Artifact,
    ArtifactError,
    FormatPlugin,
    Option,
    PackageInfo,
    Strength,
    hookimpl,
)

__all__ = ["WidgetFormat", "pubsmith_register_format"]


class WidgetFormat(FormatPlugin):
    PLUGIN_NAME = "widget"
    summary = "Widget bundles (.zip holding widget.json)"
    options = (
        Option("distribution", "Target, such as widgets/v2", required=True),
        Option("version", "Version (default: widget.json's)"),
        Option("icon_file", "Icon uploaded beside the bundle", type="file"),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        # widget.json is written by the widget packer alone: a specific marker.
        if artifact.kind == "zip" and artifact.has("widget.json"):
            return Strength.MARKER
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        try:
            manifest = json.loads(artifact.read("widget.json"))
            name, version = manifest["name"], manifest["version"]
        except (ValueError, KeyError, TypeError):
            problem = "widget.json inside has no name or version; rebuild the bundle"
            raise ArtifactError(artifact.path, problem) from None
        return PackageInfo(name=name, version=version, fields={"version": version})

    def find_companions(self, artifact: Artifact) -> dict[str, Path]:
        icon = artifact.path.with_suffix(".png")
        return {"icon_file": icon} if icon.is_file() else {}


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return WidgetFormat
