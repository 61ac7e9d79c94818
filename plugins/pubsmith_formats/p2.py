"""Eclipse p2: OSGi bundle jars, and zipped p2 repositories (update sites).

maven-bundle-plugin builds jars that are both a bundle and a Maven artifact. A bundle's
manifest headers are weaker evidence than the ``pom.properties`` Maven writes, so
detection gives those jars to maven; ``--format p2`` publishes one here.
"""

from __future__ import annotations

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith.artifact import Archive
from pubsmith.errors import ArtifactLimitError
from pubsmith_formats._parse import DOCUMENT_BYTES
from pubsmith_formats._xml import local_name, root_element

__all__ = ["P2Format"]

_MANIFEST = "META-INF/MANIFEST.MF"
# A repository's metadata (content) or artifact index, plain or jarred; either names it.
_INDEXES = ("content.xml", "artifacts.xml", "content.jar", "artifacts.jar")
_SNIFF = 4096
_ROOT_BYTES = 1024 * 1024
# OSGi's default when a bundle declares no version.
_DEFAULT_VERSION = "0.0.0"


class P2Format(FormatPlugin):
    PLUGIN_NAME = "p2"
    summary = "Eclipse p2: OSGi bundle jars and zipped p2 repositories"

    def recognise(self, artifact: Artifact) -> Strength:
        if artifact.kind != "zip":
            return Strength.NONE
        index = _index(artifact)
        if index is not None:
            # OpenDocument files hold a content.xml too; only p2's has a <repository> root.
            if index.endswith(".jar") or b"<repository" in artifact.read_head(index, _SNIFF):
                return Strength.MARKER
            return Strength.NONE
        # OSGi headers are the jar's manifest; bnd, Tycho and maven-bundle-plugin write them.
        if artifact.has(_MANIFEST) and "Bundle-SymbolicName" in _headers(_manifest_text(artifact)):
            return Strength.MANIFEST
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if artifact.kind != "zip":
            raise ArtifactError(artifact.path, "is not a bundle jar or a zipped p2 repository")
        index = _index(artifact)
        if index is not None:
            return PackageInfo(name=_repository_name(artifact, index))
        if not artifact.has(_MANIFEST):
            raise ArtifactError(
                artifact.path,
                f"has neither {_MANIFEST} nor a p2 repository index ({', '.join(_INDEXES)})",
            )
        headers = _headers(_manifest_text(artifact))
        name = headers.get("Bundle-SymbolicName", "").split(";")[0].strip()
        if not name:
            raise ArtifactError(
                artifact.path,
                f"{_MANIFEST} inside has no Bundle-SymbolicName: a plain jar, not an OSGi bundle",
            )
        return PackageInfo(name=name, version=headers.get("Bundle-Version") or _DEFAULT_VERSION)


def _index(artifact: Artifact) -> str | None:
    return next((name for name in _INDEXES if artifact.has(name)), None)


def _headers(text: str) -> dict[str, str]:
    """The main section of a jar manifest, whose long lines wrap onto lines starting " "."""
    headers: dict[str, str] = {}
    last = ""
    for line in text.splitlines():
        if not line:
            if headers:
                break  # per-entry sections follow; only the main one describes the bundle
        elif line.startswith(" ") and last:
            headers[last] += line[1:]
        elif ":" in line:
            last, _, value = line.partition(":")
            headers[last] = value.lstrip(" ")
    return {key: value.strip() for key, value in headers.items()}


def _manifest_text(artifact: Artifact) -> str:
    return artifact.read_text(_MANIFEST, limit=DOCUMENT_BYTES)


def _repository_name(artifact: Artifact, index: str) -> str | None:
    what = f"{index} inside"
    source: Archive = artifact
    member = index
    if index.endswith(".jar"):
        member = index.removesuffix(".jar") + ".xml"
        try:
            source = artifact.nested(index)
            holds = source.kind == "zip" and source.has(member)
        except ArtifactLimitError:
            raise
        except ArtifactError:
            holds = False
        if not holds:
            raise ArtifactError(artifact.path, f"{what} is not a jar holding {member}")
    # Only the root's name is wanted, and big repositories' indexes run to tens of MiB.
    head = source.read_head(member, _ROOT_BYTES + 1)
    whole = len(head) <= _ROOT_BYTES
    root = root_element(head[:_ROOT_BYTES], artifact.path, what, whole=whole)
    if local_name(root.tag) != "repository":
        raise ArtifactError(artifact.path, f"{what} is not a p2 repository index")
    return root.get("name") or None


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return P2Format
