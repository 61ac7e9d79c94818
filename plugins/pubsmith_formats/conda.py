"""Conda packages, ``.conda`` (a zip of zstd tars) or ``.tar.bz2``, named by info/index.json."""

from __future__ import annotations

import io
import json
import tarfile
from typing import Any

import zstandard

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import (
    find_member,
    load_json,
    matching,
    require_kind,
    require_text,
    safe_member_names,
)

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
    data = _tar_zst_member(artifact, member, _INDEX)
    try:
        index = json.loads(data)
    except ValueError as exc:
        raise ArtifactError(artifact.path, f"{_INDEX} inside is not valid JSON ({exc})") from None
    if not isinstance(index, dict):
        raise ArtifactError(artifact.path, f"{_INDEX} inside is not a JSON object")
    return index


def _tar_zst_member(artifact: Artifact, member: str, wanted: str) -> bytes:
    compressed = artifact.read(member)
    try:
        with (
            zstandard.ZstdDecompressor().stream_reader(io.BytesIO(compressed)) as stream,
            tarfile.open(fileobj=stream, mode="r|") as archive,
        ):
            for entry in archive:
                if entry.name.removeprefix("./") == wanted and entry.isfile():
                    extracted = archive.extractfile(entry)
                    return extracted.read() if extracted is not None else b""
    except (zstandard.ZstdError, tarfile.TarError, EOFError) as exc:
        raise ArtifactError(artifact.path, f"is corrupt: cannot read {member} ({exc})") from None
    raise ArtifactError(artifact.path, f"has no {wanted} inside {member}")


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return CondaFormat
