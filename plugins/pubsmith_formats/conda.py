"""Conda packages, ``.conda`` (a zip of zstd tars) or ``.tar.bz2``, named by info/index.json."""

from __future__ import annotations

from typing import Any

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import (
    find_member,
    load_json,
    matching,
    require_kind,
    require_text,
    safe_member_names,
)
from pubsmith_formats._parse import DOCUMENT_BYTES, parse_json

__all__ = ["CondaFormat", "pubsmith_register_format"]

_INDEX = "info/index.json"


class CondaFormat(FormatPlugin):
    PLUGIN_NAME = "conda"
    summary = "Conda packages (.conda, or .tar.bz2 with info/index.json)"

    def recognise(self, artifact: Artifact) -> Strength:
        # conda-build writes info/index.json (.tar.bz2) or info-<dist>.tar.zst (.conda).
        if matching(safe_member_names(artifact), r"info/index\.json$|info-[^/]+\.tar\.zst$"):
            return Strength.MARKER
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(
            artifact, ("zip", "tar"), "is not a conda package (neither .conda nor .tar.bz2)"
        )
        if artifact.kind == "zip":
            index = _index_from_conda(artifact)
        else:
            member = find_member(
                artifact, r"info/index\.json$", f"is not a conda package: it has no {_INDEX}"
            )
            index = load_json(artifact, member)
        return PackageInfo(
            name=require_text(artifact, index, "name", _INDEX),
            version=require_text(artifact, index, "version", _INDEX),
        )


def _index_from_conda(artifact: Artifact) -> dict[str, Any]:
    # A .conda keeps its metadata in its own small zstd-compressed tar, info-<dist>.tar.zst.
    member = find_member(
        artifact, r"info-[^/]+\.tar\.zst$", "is not a .conda package: it has no info-*.tar.zst"
    )
    info = artifact.nested(member)
    inner = next((name for name in info.names() if name.removeprefix("./") == _INDEX), None)
    if inner is None:
        raise ArtifactError(artifact.path, f"has no {_INDEX} inside {member}")
    index = parse_json(artifact, info.read(inner, limit=DOCUMENT_BYTES), f"{_INDEX} inside")
    if not isinstance(index, dict):
        raise ArtifactError(artifact.path, f"{_INDEX} inside is not a JSON object")
    return index


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return CondaFormat
