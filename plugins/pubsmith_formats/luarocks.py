"""LuaRocks: a ``.rockspec`` (Lua source), or a ``.rock`` zip holding its rockspec."""

from __future__ import annotations

import re

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, Strength, hookimpl
from pubsmith_formats._markers import find_member, matching, safe_member_names
from pubsmith_formats._parse import read_file

__all__ = ["LuarocksFormat", "pubsmith_register_format"]

_MAX_ROCKSPEC_BYTES = 1024 * 1024
_ROCKSPEC = r"[^/]+\.rockspec$"
# A Lua string in any of the three spellings a rockspec uses: "x", 'x' or [[x]].
_STRING = r"""(?:"([^"\n]*)"|'([^'\n]*)'|\[\[(.*?)\]\])"""
# [ \t], not \s, at the line start: tried at every line start, \s* would run across lines
# and make the search quadratic in a file of blank lines.
_PACKAGE = re.compile(rf"^[ \t]*package\s*=\s*{_STRING}", re.MULTILINE)
_VERSION = re.compile(rf"^[ \t]*version\s*=\s*{_STRING}", re.MULTILINE)
# LuaRocks versions always end in a rockspec revision: 1.0.0-1.
_ROCK_VERSION = re.compile(r"^[^\s-]+-\d+$")
_LONG_BRACKET = re.compile(r"\[(=*)\[")


class LuarocksFormat(FormatPlugin):
    PLUGIN_NAME = "luarocks"
    summary = "LuaRocks rockspecs (.rockspec) and rocks (.src.rock, .all.rock, .<arch>.rock)"

    def recognise(self, artifact: Artifact) -> Strength:
        if artifact.filename.endswith(".rockspec") and artifact.kind is None:
            head = artifact.head.decode("utf-8", "replace")
            return Strength.MANIFEST if _PACKAGE.search(head) else Strength.NONE
        # luarocks pack puts the rockspec at the root of the .rock zip.
        if artifact.kind == "zip" and matching(safe_member_names(artifact), _ROCKSPEC):
            return Strength.MANIFEST
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if artifact.kind == "zip":
            member = find_member(
                artifact, _ROCKSPEC, "is not a rock: it has no <name>-<version>.rockspec"
            )
            where = f"{member} inside"
            source = artifact.read_text(member, limit=_MAX_ROCKSPEC_BYTES)
        elif artifact.kind is None:
            where, source = "it", _read_rockspec(artifact)
        else:
            raise ArtifactError(artifact.path, "is neither a rockspec nor a rock (a zip)")
        unclosed = _unclosed(source)
        if unclosed:
            raise ArtifactError(
                artifact.path,
                f"is not a whole rockspec: {where} {unclosed} (cut short?); rebuild it",
            )
        package, version = _PACKAGE.search(source), _VERSION.search(source)
        if package is None or version is None:
            raise ArtifactError(
                artifact.path, f"is not a rockspec: {where} sets no package and version string"
            )
        name = next(group for group in package.groups() if group is not None)
        rock_version = next(group for group in version.groups() if group is not None)
        if not _ROCK_VERSION.match(rock_version):
            raise ArtifactError(
                artifact.path,
                f"{where} has version {rock_version!r}, which lacks the rockspec revision "
                "LuaRocks needs (such as 1.0.0-1)",
            )
        return PackageInfo(name=name, version=rock_version)


def _unclosed(source: str) -> str | None:
    """What is wrong with the nesting of Lua source: ``leaves a table open`` and such.

    Reading a rockspec never runs it; this is how a cut-short one is told from a whole one.
    """
    depth, index, end = 0, 0, len(source)
    while index < end:
        char = source[index]
        if source.startswith("--", index):
            long = _LONG_BRACKET.match(source, index + 2)
            if long is None:
                newline = source.find("\n", index)
                index = end if newline < 0 else newline + 1
                continue
            closing = source.find(f"]{long.group(1)}]", long.end())
            if closing < 0:
                return "leaves a comment open"
            index = closing + len(long.group(0))
        elif char in "\"'":
            index += 1
            while index < end and source[index] not in (char, "\n"):
                index += 2 if source[index] == "\\" else 1
            if index >= end or source[index] != char:
                return "leaves a string open"
            index += 1
        elif long := _LONG_BRACKET.match(source, index):
            closing = source.find(f"]{long.group(1)}]", long.end())
            if closing < 0:
                return "leaves a string open"
            index = closing + len(long.group(0))
        else:
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth < 0:
                return "closes a table it never opened"
            index += 1
    return "leaves a table open" if depth else None


def _read_rockspec(artifact: Artifact) -> str:
    data = read_file(artifact.path, _MAX_ROCKSPEC_BYTES, "a rockspec")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ArtifactError(artifact.path, "is not a rockspec: it is not UTF-8 text") from None


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return LuarocksFormat
