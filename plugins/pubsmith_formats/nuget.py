"""NuGet packages: a ``.nupkg`` zip whose root holds ``<id>.nuspec``; the ``.snupkg`` goes along."""

from __future__ import annotations

from pathlib import Path

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._parse import DOCUMENT_BYTES
from pubsmith_formats._xml import child, child_text, local_name, parse_xml

__all__ = ["NugetFormat"]


def _nuspecs(artifact: Artifact) -> list[str]:
    if artifact.kind != "zip":
        return []
    names = artifact.names()
    return [name for name in names if "/" not in name and name.lower().endswith(".nuspec")]


class NugetFormat(FormatPlugin):
    PLUGIN_NAME = "nuget"
    summary = "NuGet packages (.nupkg); the .snupkg symbols package beside one goes along"
    options = (
        Option("symbols_file", "Symbols package (default: NAME.snupkg beside it)", type="file"),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        # nuget pack writes <id>.nuspec at the root of the zip.
        return Strength.MARKER if _nuspecs(artifact) else Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        nuspecs = _nuspecs(artifact)
        if len(nuspecs) != 1:
            found = len(nuspecs) or "no"
            raise ArtifactError(
                artifact.path, f"is not a NuGet package: it has {found} .nuspec files at its root"
            )
        what = f"{nuspecs[0]} inside"
        data = artifact.read(nuspecs[0], limit=DOCUMENT_BYTES)
        package = parse_xml(data, artifact.path, what)
        metadata = child(package, "metadata")
        if local_name(package.tag) != "package" or metadata is None:
            raise ArtifactError(artifact.path, f"{what} is not a nuspec (no <package><metadata>)")
        types = child(metadata, "packageTypes")
        if types is not None and any(item.get("name") == "SymbolsPackage" for item in types):
            raise ArtifactError(
                artifact.path,
                "is a symbols package; publish its .nupkg, which takes this as symbols_file",
            )
        name, version = child_text(metadata, "id"), child_text(metadata, "version")
        if not name or not version:
            missing = "<id>" if not name else "<version>"
            raise ArtifactError(artifact.path, f"{what} has no {missing}; rebuild the package")
        return PackageInfo(name=name, version=version)

    def find_companions(self, artifact: Artifact) -> dict[str, Path]:
        symbols = artifact.path.with_suffix(".snupkg")
        return {"symbols_file": symbols} if symbols != artifact.path and symbols.is_file() else {}


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return NugetFormat
