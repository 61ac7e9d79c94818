"""CocoaPods: a ``.tar.gz`` of the pod's files with its ``.podspec.json`` or ``.podspec``."""

from __future__ import annotations

import re

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import (
    find_member,
    load_json,
    matching,
    require_kind,
    require_text,
    safe_member_names,
)
from pubsmith_formats._parse import DOCUMENT_BYTES

__all__ = ["CocoapodsFormat", "pubsmith_register_format"]

_JSON_SPEC = r"([^/]+/)?[^/]+\.podspec\.json$"
_ANY_SPEC = r"([^/]+/)?[^/]+\.podspec(\.json)?$"


def _ruby_attribute(source: str, key: str) -> str | None:
    # Ruby podspecs are programs; only a literal `spec.name = '...'` can be read without
    # running Ruby, and Cloudsmith evaluates the spec itself anyway.
    # [ \t], not \s, before the attribute: tried at every line start, \s* would run across
    # lines and make the search quadratic in a file of blank lines.
    match = re.search(rf"^[ \t]*\w+\.{key}\s*=\s*(['\"])([^'\"]+)\1", source, re.MULTILINE)
    return match.group(2) if match else None


class CocoapodsFormat(FormatPlugin):
    PLUGIN_NAME = "cocoapods"
    summary = "CocoaPods pods (.tar.gz holding <Pod>.podspec.json or <Pod>.podspec)"

    def recognise(self, artifact: Artifact) -> Strength:
        # Any library with iOS support may ship a podspec (React Native npm packages do).
        if artifact.kind == "tar" and matching(safe_member_names(artifact), _ANY_SPEC):
            return Strength.CONTAINER
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(artifact, ("tar",), "is not a pod archive (not a tar archive)")
        problem = "is not a pod archive: it has no <Pod>.podspec.json or <Pod>.podspec"
        try:
            member = find_member(artifact, _JSON_SPEC, problem)
        except ArtifactError:
            member = find_member(artifact, _ANY_SPEC, problem)
        if member.endswith(".json"):
            spec = load_json(artifact, member)
            return PackageInfo(
                name=require_text(artifact, spec, "name", member),
                version=require_text(artifact, spec, "version", member),
            )
        source = artifact.read_text(member, limit=DOCUMENT_BYTES)
        if "Pod::Spec.new" not in source:
            raise ArtifactError(
                artifact.path, f"{member} inside is not a podspec (no Pod::Spec.new)"
            )
        return PackageInfo(
            name=_ruby_attribute(source, "name"), version=_ruby_attribute(source, "version")
        )


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return CocoapodsFormat
