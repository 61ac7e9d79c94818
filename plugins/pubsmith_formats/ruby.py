"""RubyGems: a ``.gem`` is a plain tar holding ``metadata.gz`` (the gemspec as YAML) and data."""

from __future__ import annotations

from typing import Any

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith_formats._parse import parse_yaml

__all__ = ["RubyFormat"]

_SPEC = "metadata.gz inside"


class RubyFormat(FormatPlugin):
    PLUGIN_NAME = "ruby"
    summary = "RubyGems (.gem: a tar holding metadata.gz and data.tar.gz)"

    def recognise(self, artifact: Artifact) -> Strength:
        # gem build writes exactly this: a plain tar of metadata.gz and data.tar.gz.
        return Strength.MARKER if _is_gem(artifact) else Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if not _is_gem(artifact):
            raise ArtifactError(
                artifact.path, "is not a gem (a plain tar holding metadata.gz and data.tar.gz)"
            )
        spec = _gemspec(artifact)
        name = spec.get("name")
        version = spec.get("version")
        # Gem::Version is serialised as a mapping whose "version" key holds the string.
        if isinstance(version, dict):
            version = version.get("version")
        for key, value in (("name", name), ("version", version)):
            if not isinstance(value, str) or not value.strip():
                raise ArtifactError(artifact.path, f"{_SPEC} has no {key}; rebuild the gem")
        return PackageInfo(name=str(name).strip(), version=str(version).strip())


def _is_gem(artifact: Artifact) -> bool:
    return (
        artifact.kind == "tar"
        and artifact.compression is None
        and artifact.has("metadata.gz")
        and artifact.has("data.tar.gz")
    )


def _gemspec(artifact: Artifact) -> dict[str, Any]:
    if not artifact.read_head("metadata.gz", 2) == b"\x1f\x8b":
        raise ArtifactError(artifact.path, f"{_SPEC} is not valid gzip; rebuild the gem")
    spec = parse_yaml(
        artifact,
        artifact.unpack("metadata.gz"),
        _SPEC,
        # Only strings, lists and dicts: Ruby's !ruby/object tags become plain mappings,
        # and "1.10" stays a string instead of turning into the float 1.1.
        plain=True,
        invalid="is not a valid gemspec",
    )
    if not isinstance(spec, dict):
        raise ArtifactError(artifact.path, f"{_SPEC} is not a gemspec mapping; rebuild the gem")
    return spec


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return RubyFormat
