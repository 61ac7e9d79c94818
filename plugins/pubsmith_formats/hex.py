"""Hex packages (Erlang, Elixir): an uncompressed tar of VERSION, CHECKSUM, metadata, contents."""

from __future__ import annotations

import re

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import member_names, require_kind, safe_member_names
from pubsmith_formats._parse import DOCUMENT_BYTES

__all__ = ["HexFormat", "pubsmith_register_format"]

_MEMBERS = ("VERSION", "CHECKSUM", "metadata.config", "contents.tar.gz")
# metadata.config holds one Erlang term per top-level key, each starting a line and ending
# in `}.`, like {<<"name">>,<<"plug">>}. Nested tuples (old-style requirements also have
# a <<"name">>) are indented and never end in a full stop.
_TERM = r'^\{{<<"{key}">>,\s*<<"((?:[^"\\]|\\.)*)"(?:/utf8)?>>\}}\.'


class HexFormat(FormatPlugin):
    PLUGIN_NAME = "hex"
    summary = "Hex packages for Erlang and Elixir (.tar from rebar3 hex build or mix hex.build)"

    def recognise(self, artifact: Artifact) -> Strength:
        # These four members, at the root of a plain tar, are what hex tooling writes.
        if artifact.kind == "tar" and set(_MEMBERS) <= set(safe_member_names(artifact)):
            return Strength.MARKER
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        require_kind(artifact, ("tar",), "is not a hex package (not a tar archive)")
        missing = [name for name in _MEMBERS if name not in member_names(artifact)]
        if missing:
            raise ArtifactError(
                artifact.path, f"is not a hex package: it has no {', '.join(missing)}"
            )
        config = artifact.read_text("metadata.config", limit=DOCUMENT_BYTES)
        return PackageInfo(
            name=_binary_term(artifact, config, "name"),
            version=_binary_term(artifact, config, "version"),
        )


def _binary_term(artifact: Artifact, config: str, key: str) -> str:
    match = re.search(_TERM.format(key=key), config, re.MULTILINE)
    if match is None:
        raise ArtifactError(
            artifact.path, f'metadata.config inside has no {{<<"{key}">>,<<"...">>}}. term'
        )
    return re.sub(r"\\(.)", r"\1", match.group(1))


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return HexFormat
