"""Maven artifacts: jars carrying ``META-INF/maven/<group>/<artifact>/pom.properties``, or poms.

A jar that is also an OSGi bundle (maven-bundle-plugin builds those) is maven's: its
``pom.properties`` is stronger evidence than the bundle headers p2 looks for, so
``--format p2`` is how to publish one as p2. A jar without ``pom.properties`` takes its
coordinates from its pom: the ``.pom`` beside it, or the one given with ``-o pom_file=``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._parse import DOCUMENT_BYTES, read_file
from pubsmith_formats._xml import child, child_text, local_name, parse_xml

__all__ = ["MavenFormat", "pubsmith_register_format"]

_DESCRIPTOR = re.compile(r"^META-INF/maven/[^/]+/[^/]+/pom\.properties$")
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
_PROPERTY = re.compile(r"([^=:\s]+)\s*[=:\s]\s*(.*)")
_FIELDS = {
    "groupId": "group_id",
    "artifactId": "artifact_id",
    "version": "version",
    "packaging": "packaging",
}
_COORDINATES = ("group_id", "artifact_id", "version")
_CLASSIFIED = {"sources_file": "sources", "javadoc_file": "javadoc", "tests_file": "tests"}
_MAX_NESTING = 5


class MavenFormat(FormatPlugin):
    PLUGIN_NAME = "maven"
    summary = "Maven jars (with META-INF/maven metadata) and poms; the .pom beside a jar goes along"
    options = (
        Option("group_id", "Group ID (default: from pom.properties or the pom)"),
        Option("artifact_id", "Artifact ID (default: from pom.properties or the pom)"),
        Option("version", "Version (default: from pom.properties or the pom)"),
        Option("packaging", "Packaging such as jar, war or pom (default: from the pom)"),
        Option("pom_file", "The pom (default: NAME.pom beside NAME.jar)", type="file"),
        Option("sources_file", "Sources jar (default: NAME-sources.jar beside it)", type="file"),
        Option("javadoc_file", "Javadoc jar (default: NAME-javadoc.jar beside it)", type="file"),
        Option("tests_file", "Tests jar (default: NAME-tests.jar beside it)", type="file"),
        Option("ivy_file", "Ivy descriptor (ivy.xml) of the artifact", type="file"),
        Option("extra_files", "More files of the package, comma-separated paths", type="files"),
        Option("sbt_version", "sbt version the artifact is built for (sbt plugins)"),
        Option("scala_version", "Scala version the artifact is built for"),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        if artifact.kind == "zip":
            # maven-archiver writes pom.properties into every jar Maven builds.
            return Strength.MARKER if _descriptors(artifact) else Strength.NONE
        if artifact.kind is None and _looks_like_pom(artifact.head):
            return Strength.MANIFEST
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if artifact.kind is None:
            return _info(_pom_fields(_read_pom(artifact.path), artifact.path, "the pom"))
        if artifact.kind != "zip":
            raise ArtifactError(artifact.path, "is neither a jar (zip) nor a pom (XML)")
        descriptor = _own_descriptor(artifact, _descriptors(artifact))
        # Without pom.properties the coordinates come from the pom: see read_companions.
        return _info(_jar_fields(artifact, descriptor)) if descriptor else PackageInfo()

    def read_companions(self, artifact: Artifact, values: Mapping[str, Any]) -> PackageInfo:
        if artifact.kind != "zip":
            return PackageInfo()
        pom = values.get("pom_file")
        if isinstance(pom, Path):
            return _info(_pom_fields(_read_pom(pom), pom, "the pom"))
        stated = all(values.get(key) for key in _COORDINATES)
        if not stated and _own_descriptor(artifact, _descriptors(artifact)) is None:
            raise ArtifactError(
                artifact.path,
                "has no META-INF/maven/<group>/<artifact>/pom.properties and no pom to say its "
                f"coordinates; put {artifact.path.stem}.pom beside it or pass -o pom_file=PATH",
            )
        return PackageInfo()

    def find_companions(self, artifact: Artifact) -> dict[str, Path]:
        if artifact.kind != "zip":
            return {}
        stem = artifact.path.stem
        candidates = {"pom_file": artifact.path.with_name(f"{stem}.pom")}
        for option, classifier in _CLASSIFIED.items():
            candidates[option] = artifact.path.with_name(f"{stem}-{classifier}.jar")
        return {option: path for option, path in candidates.items() if path.is_file()}


def _looks_like_pom(head: bytes) -> bool:
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    # Ant's build.xml is also a <project>: only a pom names the POM namespace or a modelVersion.
    return (
        text.startswith("<")
        and "<project" in text
        and ("maven.apache.org/POM/" in text or "<modelVersion>" in text)
    )


def _descriptors(artifact: Artifact) -> list[str]:
    """The ``pom.properties`` members of a jar: one per artifact, several in a shaded jar."""
    if artifact.kind != "zip":
        return []
    return [name for name in artifact.names() if _DESCRIPTOR.match(name)]


def _info(fields: dict[str, str]) -> PackageInfo:
    return PackageInfo(name=fields["artifact_id"], version=fields["version"], fields=fields)


def _jar_fields(artifact: Artifact, descriptor: str) -> dict[str, str]:
    """Coordinates from pom.properties; packaging from the pom.xml inside, if it states it."""
    properties = _properties(artifact.read_text(descriptor, limit=DOCUMENT_BYTES))
    fields: dict[str, str] = {}
    for key in ("groupId", "artifactId", "version"):
        if not properties.get(key):
            raise ArtifactError(artifact.path, f"{descriptor} inside has no {key}; rebuild the jar")
        fields[_FIELDS[key]] = properties[key]
    inner_pom = descriptor.removesuffix("pom.properties") + "pom.xml"
    if artifact.has(inner_pom):
        data = artifact.read(inner_pom, limit=DOCUMENT_BYTES)
        pom = _pom_fields(data, artifact.path, f"{inner_pom} inside")
        if "packaging" in pom:
            fields["packaging"] = pom["packaging"]
    return fields


def _own_descriptor(artifact: Artifact, descriptors: list[str]) -> str | None:
    """The jar's own descriptor; a shaded jar also carries those of what it bundles."""
    if len(descriptors) <= 1:
        return descriptors[0] if descriptors else None
    # META-INF/maven/<group>/<artifact>/pom.properties: the artifact ID is the fourth part.
    named = [name for name in descriptors if artifact.filename.startswith(name.split("/")[3] + "-")]
    if len(named) == 1:
        return named[0]
    raise ArtifactError(
        artifact.path,
        f"holds {len(descriptors)} Maven descriptors and its file name picks none of them; "
        "rename it ARTIFACTID-VERSION.jar",
    )


def _properties(text: str) -> dict[str, str]:
    """A Java ``.properties`` file as Maven writes it: ``key=value`` lines and comments."""
    properties: dict[str, str] = {}
    for line in text.splitlines():
        match = _PROPERTY.match(line.strip())
        if match and not line.lstrip().startswith(("#", "!")):
            properties[match.group(1)] = match.group(2)
    return properties


def _read_pom(path: Path) -> bytes:
    return read_file(path, DOCUMENT_BYTES, "a pom")


def _pom_fields(data: bytes, path: Path, what: str) -> dict[str, str]:
    """Coordinates and packaging of a pom; group and version may come from its ``<parent>``.

    Packaging is left out when the pom does not state it: Cloudsmith applies Maven's default.
    """
    project = parse_xml(data, path, what)
    root = local_name(project.tag)
    if root != "project":
        raise ArtifactError(path, f"{what} is not a Maven pom (its root element is <{root}>)")
    parent = child(project, "parent")
    raw = {
        "groupId": child_text(project, "groupId") or child_text(parent, "groupId"),
        "artifactId": child_text(project, "artifactId"),
        "version": child_text(project, "version") or child_text(parent, "version"),
        "packaging": child_text(project, "packaging"),
    }
    declared = child(project, "properties")
    items = list(declared) if declared is not None else []
    known = {local_name(item.tag): (item.text or "").strip() for item in items}
    known.update({f"project.{tag}": value for tag, value in raw.items() if value})
    for tag in ("groupId", "version"):
        known[f"project.parent.{tag}"] = child_text(parent, tag) or ""
    fields: dict[str, str] = {}
    for tag, value in raw.items():
        if not value and tag == "packaging":
            continue
        if not value:
            raise ArtifactError(path, f"{what} has no <{tag}> (nor a <parent> giving one)")
        resolved = _resolve(value, known)
        if "${" in resolved:
            raise ArtifactError(
                path, f"{what} leaves <{tag}> as {value}; publish the pom with properties resolved"
            )
        fields[_FIELDS[tag]] = resolved
    return fields


def _resolve(value: str, known: dict[str, str]) -> str:
    for _ in range(_MAX_NESTING):  # a property may refer to another; a cycle stops here
        value = _PLACEHOLDER.sub(lambda ref: known.get(ref.group(1)) or ref.group(0), value)
    return value


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return MavenFormat
