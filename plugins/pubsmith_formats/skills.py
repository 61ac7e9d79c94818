"""Agent skills: a zipped skill folder (``SKILL.md`` with YAML front matter), or a zipped
Claude Code plugin (``.claude-plugin/plugin.json``), at the root or one folder down.

A plain skill usually carries no version, so ``-o version=`` is then required.
"""

from __future__ import annotations

import re
from typing import Any

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import load_json, require_text
from pubsmith_formats._parse import DOCUMENT_BYTES, parse_yaml

__all__ = ["SkillsFormat"]

_PLUGIN = ".claude-plugin/plugin.json"
_SKILL = "SKILL.md"
# Zipping a folder in macOS's Finder adds this one beside it.
_MACOS_FORK = "__MACOSX"
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*$", re.DOTALL | re.MULTILINE)


class SkillsFormat(FormatPlugin):
    PLUGIN_NAME = "skills"
    summary = "Agent skills: zipped skill folders (SKILL.md) and Claude Code plugins (plugin.json)"
    options = (
        Option(
            "name",
            "the lowercase-hyphenated name; read from the skill",
            required=True,
            read_from_file=True,
        ),
        Option(
            "version",
            "the version; read from the skill if it has one",
            required=True,
            read_from_file=True,
        ),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        # The skill's own SKILL.md, or a plugin's plugin.json, where a zipped folder puts it.
        if _member(artifact, _PLUGIN) or _member(artifact, _SKILL):
            return Strength.MANIFEST
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        plugin, skill = _member(artifact, _PLUGIN), _member(artifact, _SKILL)
        if plugin:
            manifest = load_json(artifact, plugin)
            return _info(require_text(artifact, manifest, "name", plugin), manifest.get("version"))
        if not skill:
            found = [name for name in artifact.names() if name.rpartition("/")[2] == _SKILL]
            where = f" (it has {', '.join(found[:3])})" if found else ""
            raise ArtifactError(
                artifact.path,
                f"has no SKILL.md at its root or in its one top folder{where}; "
                "zip one skill folder, or a plugin with .claude-plugin/plugin.json",
            )
        front = _front_matter(artifact, skill)
        metadata = front.get("metadata")
        # The skill spec has no version field; some authors put one in its metadata map.
        version = front.get("version")
        if version is None and isinstance(metadata, dict):
            version = metadata.get("version")
        return _info(require_text(artifact, front, "name", skill), version)


def _info(name: str, version: object) -> PackageInfo:
    """Name and version as the skill states them: both go into the payload."""
    text = _text(version)
    fields = {"name": name, "version": text} if text else {"name": name}
    return PackageInfo(name=name, version=text, fields=fields)


def _member(artifact: Artifact, path: str) -> str | None:
    """``path`` at the root, or in the folder that holds everything else, as a zipped folder is.

    Requiring the single folder keeps a VS Code extension or a jar that merely ships a
    SKILL.md somewhere inside from passing for a skill.
    """
    if artifact.kind != "zip":
        return None
    names = artifact.names()
    if path in names:
        return path
    tops = {name.split("/", 1)[0] for name in names} - {_MACOS_FORK}
    nested = f"{tops.pop()}/{path}" if len(tops) == 1 else None
    return nested if nested in names else None


def _front_matter(artifact: Artifact, member: str) -> dict[str, Any]:
    match = _FRONT_MATTER.match(artifact.read_text(member, limit=DOCUMENT_BYTES))
    if match is None:
        raise ArtifactError(artifact.path, f"{member} inside does not start with --- front matter")
    data = parse_yaml(
        artifact, match.group(1), f"{member} inside", invalid="has invalid YAML front matter"
    )
    if not isinstance(data, dict):
        raise ArtifactError(artifact.path, f"{member} inside has front matter but no mapping")
    return data


def _text(value: object) -> str | None:
    """A version as text: YAML and JSON may hand over ``1.0`` as a number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return SkillsFormat
