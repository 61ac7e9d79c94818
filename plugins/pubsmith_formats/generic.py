"""Generic files: any bytes, stored at a path of the user's choosing.

Like raw, every file is a valid generic package, so the format never claims a file on
its own (write ``generic:FILE``); ``filepath``, where the file lives in the
repository, must come from the user.
"""

from __future__ import annotations

from pubsmith import Artifact, FormatPlugin, Option, PackageInfo, Strength, hookimpl

__all__ = ["GenericFormat", "pubsmith_register_format"]


class GenericFormat(FormatPlugin):
    PLUGIN_NAME = "generic"
    summary = "Any file at a chosen path (never auto-detected: write generic:FILE)"
    options = (
        Option("filepath", "Path in the repository, file name included: tools/x.sh", required=True),
        Option("name", "Package name (if not given, Cloudsmith names it after the file)"),
        Option("version", "Package version"),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        # Claiming any file would make every detection ambiguous.
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        # Cloudsmith names the package after the file; the payload leaves that to it.
        return PackageInfo(name=artifact.filename)


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return GenericFormat
