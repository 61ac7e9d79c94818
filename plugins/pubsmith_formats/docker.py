"""Docker image archives, as ``docker save`` or ``skopeo copy ... docker-archive:`` write them.

The image's name and version are its first ``RepoTags`` entry, ``repository:tag``, with
the ``docker.io/`` (and ``library/``) prefix that skopeo adds dropped, as ``docker save``
would write it. An archive holding several images is named after the first. An OCI
layout archive (``index.json`` and ``oci-layout`` only) is recognised so that it can be
refused with the command that converts it.
"""

from __future__ import annotations

from typing import Any

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith_formats._parse import DOCUMENT_BYTES, parse_json

__all__ = ["DockerFormat", "pubsmith_register_format"]

_DEFAULT_PREFIXES = ("docker.io/", "library/")


class DockerFormat(FormatPlugin):
    PLUGIN_NAME = "docker"
    summary = "Docker image archives (.tar from docker save or skopeo docker-archive)"

    def recognise(self, artifact: Artifact) -> Strength:
        # docker save's manifest.json, or an OCI layout's oci-layout file, are the image's.
        if artifact.kind != "tar":
            return Strength.NONE
        if artifact.has("oci-layout") and artifact.has("index.json"):
            return Strength.MARKER
        try:
            images = _manifest(artifact)
        except ArtifactError:
            return Strength.NONE
        return Strength.MARKER if all("Config" in image for image in images) else Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        oci_only = artifact.kind == "tar" and not artifact.has("manifest.json")
        if oci_only and artifact.has("oci-layout"):
            raise ArtifactError(
                artifact.path,
                "is an OCI layout archive without manifest.json; convert it with "
                "skopeo copy oci-archive:FILE docker-archive:OUT.tar:NAME:TAG",
            )
        image = _manifest(artifact)[0]
        tags = image.get("RepoTags") or []
        if not isinstance(tags, list) or not tags or not isinstance(tags[0], str):
            raise ArtifactError(
                artifact.path, "holds an image saved without a tag; save it as NAME:TAG"
            )
        config, layers = image.get("Config"), image.get("Layers")
        if not isinstance(config, str) or not isinstance(layers, list):
            raise ArtifactError(artifact.path, "has a manifest.json image without Config or Layers")
        missing = [member for member in (config, *layers) if not artifact.has(member)]
        if missing:
            raise ArtifactError(
                artifact.path, f"is incomplete: {missing[0]}, named in manifest.json, is not inside"
            )
        repository, _, tag = tags[0].rpartition(":")
        if not repository or "/" in tag:
            raise ArtifactError(artifact.path, f"has a tag without a version: {tags[0]!r}")
        for prefix in _DEFAULT_PREFIXES:
            repository = repository.removeprefix(prefix)
        return PackageInfo(name=repository, version=tag)


def _manifest(artifact: Artifact) -> list[dict[str, Any]]:
    """The non-empty list of images in ``manifest.json``; ``ArtifactError`` otherwise."""
    if artifact.kind != "tar" or not artifact.has("manifest.json"):
        raise ArtifactError(artifact.path, "is not a Docker image archive (no manifest.json)")
    data = artifact.read("manifest.json", limit=DOCUMENT_BYTES)
    images = parse_json(artifact, data, "manifest.json inside")
    if not isinstance(images, list) or not images or not all(isinstance(i, dict) for i in images):
        raise ArtifactError(artifact.path, "has a manifest.json that is not a list of images")
    return images


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return DockerFormat
