"""Raw files: any bytes, described entirely by options."""

from __future__ import annotations

from pubsmith import Artifact, FormatPlugin, Option, PackageInfo, Strength, hookimpl


class RawFormat(FormatPlugin):
    PLUGIN_NAME = "raw"
    summary = "Any file, as-is (never auto-detected: write raw:FILE)"
    options = (
        Option("name", "Package name (if not given, Cloudsmith names it after the file)"),
        Option("version", "Package version"),
        Option("summary", "One-line summary"),
        Option("description", "Longer description"),
        Option("content_type", "MIME type served on download"),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        # Every file is a valid raw package, so claiming any would make detection ambiguous.
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        # Cloudsmith names the package after the file; the payload leaves that to it.
        return PackageInfo(name=artifact.filename)


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return RawFormat
