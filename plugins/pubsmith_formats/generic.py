"""Generic files: any bytes, stored at a path of the user's choosing.

Like raw, every file is a valid generic package, so the format never claims a file on
its own (write ``generic:FILE``); ``filepath``, where the file lives in the
repository, must come from the user.
"""

from __future__ import annotations

from pubsmith import Artifact, FormatPlugin, Option, PackageInfo, hookimpl

__all__ = ["GenericFormat", "pubsmith_register_format"]


class GenericFormat(FormatPlugin):
    PLUGIN_NAME = "generic"
    summary = "Any file at a chosen path (never auto-detected: write generic:FILE)"
    options = (
        Option("filepath", "Path in the repository, file name included: tools/x.sh", required=True),
        Option("name", "Package name (default: the file name)"),
        Option("version", "Package version"),
    )

    def recognise(self, artifact: Artifact) -> bool:
        # Claiming any file would make every detection ambiguous.
        return False

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        return PackageInfo(name=artifact.filename)


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return GenericFormat
