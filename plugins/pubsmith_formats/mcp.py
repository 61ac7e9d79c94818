"""MCP servers: MCP Bundles (``.mcpb`` zips with a ``manifest.json`` naming a ``server``), and
MCP registry ``server.json`` descriptions (JSON whose ``$schema`` is the registry's).

What Cloudsmith accepts for mcp is not documented; the bundle is what ``mcpb pack`` writes.
"""

from __future__ import annotations

from typing import Any

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import load_json, require_text
from pubsmith_formats._parse import parse_json, read_file

__all__ = ["McpFormat"]

_MANIFEST = "manifest.json"
_REGISTRY_SCHEMA = "modelcontextprotocol"
_MAX_SERVER_JSON_BYTES = 1024 * 1024


class McpFormat(FormatPlugin):
    PLUGIN_NAME = "mcp"
    summary = "MCP servers: MCP Bundles (.mcpb) and MCP registry server.json files"
    options = (Option("version", "Version (default: from manifest.json or server.json)"),)

    def recognise(self, artifact: Artifact) -> Strength:
        # An MCP Bundle's manifest.json has a server section; a server.json names the
        # registry's schema.
        if artifact.kind == "zip":
            if not artifact.has(_MANIFEST):
                return Strength.NONE
            try:
                manifest = load_json(artifact, _MANIFEST)
            except ArtifactError:
                return Strength.NONE
            bundle = isinstance(manifest.get("server"), dict)
            return Strength.MANIFEST if bundle else Strength.NONE
        if artifact.kind is None and _is_server_json(_server_json(artifact, strict=False)):
            return Strength.MANIFEST
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if artifact.kind == "zip":
            if not artifact.has(_MANIFEST):
                raise ArtifactError(artifact.path, f"is not an MCP Bundle: it has no {_MANIFEST}")
            data, where = load_json(artifact, _MANIFEST), _MANIFEST
            if not isinstance(data.get("server"), dict):
                raise ArtifactError(artifact.path, f"{_MANIFEST} inside has no server section")
        elif artifact.kind is None:
            data, where = _server_json(artifact, strict=True), "server.json"
            if not _is_server_json(data):
                raise ArtifactError(
                    artifact.path, "is not an MCP registry server.json (no registry $schema)"
                )
        else:
            raise ArtifactError(artifact.path, "is neither an MCP Bundle (.mcpb) nor a server.json")
        version = require_text(artifact, data, "version", where)
        return PackageInfo(
            name=require_text(artifact, data, "name", where),
            version=version,
            fields={"version": version},
        )


def _server_json(artifact: Artifact, *, strict: bool) -> dict[str, Any]:
    """The file as a JSON object; ``{}`` (or, when ``strict``, an error) if it is not one."""
    try:
        if not artifact.head.lstrip().startswith(b"{"):
            raise ArtifactError(artifact.path, "is not JSON")
        text = read_file(artifact.path, _MAX_SERVER_JSON_BYTES, "a server.json")
        data = parse_json(artifact, text, "")
        if not isinstance(data, dict):
            raise ArtifactError(artifact.path, "is not a JSON object")
    except ArtifactError:
        if strict:
            raise
        return {}
    return data


def _is_server_json(data: dict[str, Any]) -> bool:
    schema = data.get("$schema")
    return isinstance(schema, str) and _REGISTRY_SCHEMA in schema and "server" in schema


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return McpFormat
