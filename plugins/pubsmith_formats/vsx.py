"""VS Code extensions: ``.vsix`` zips holding extension.vsixmanifest and extension/package.json.

Visual Studio's own ``.vsix`` files carry the manifest but no ``extension/package.json``; they
are not Open VSX extensions and are not claimed.
"""

from __future__ import annotations

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith_formats._parse import DOCUMENT_BYTES
from pubsmith_formats._xml import child, local_name, parse_xml

__all__ = ["VsxFormat"]

_MANIFEST = "extension.vsixmanifest"
_PACKAGE_JSON = "extension/package.json"


class VsxFormat(FormatPlugin):
    PLUGIN_NAME = "vsx"
    summary = "VS Code extensions (.vsix, as `vsce package` writes them)"

    def recognise(self, artifact: Artifact) -> Strength:
        # vsce package writes the vsixmanifest beside the extension's own package.json.
        return Strength.MARKER if _is_extension(artifact) else Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if not _is_extension(artifact):
            raise ArtifactError(
                artifact.path,
                f"is not a VS Code extension (a zip with {_MANIFEST} and {_PACKAGE_JSON})",
            )
        what = f"{_MANIFEST} inside"
        root = parse_xml(artifact.read(_MANIFEST, limit=DOCUMENT_BYTES), artifact.path, what)
        metadata = child(root, "Metadata")
        identity = child(metadata, "Identity") if metadata is not None else None
        if local_name(root.tag) != "PackageManifest" or identity is None:
            raise ArtifactError(artifact.path, f"{what} has no <Metadata><Identity>; repackage it")
        # Open VSX files an extension under its publisher, so one without is unpublishable.
        values = {key: (identity.get(key) or "").strip() for key in ("Id", "Version", "Publisher")}
        for key, value in values.items():
            if not value:
                raise ArtifactError(artifact.path, f"{what} has no Identity {key}; repackage it")
        return PackageInfo(name=values["Id"], version=values["Version"])


def _is_extension(artifact: Artifact) -> bool:
    return artifact.kind == "zip" and artifact.has(_MANIFEST) and artifact.has(_PACKAGE_JSON)


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return VsxFormat
