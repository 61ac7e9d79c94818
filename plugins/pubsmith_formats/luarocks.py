"""LuaRocks: a ``.rockspec`` (Lua source), or a ``.rock`` zip holding its rockspec."""

from __future__ import annotations

import re

from pubsmith import Artifact, ArtifactError, FormatPlugin, PackageInfo, hookimpl
from pubsmith_formats._markers import find_member, marked_format
from pubsmith_formats._parse import read_file

__all__ = ["LuarocksFormat", "pubsmith_register_format"]

_MAX_ROCKSPEC_BYTES = 1024 * 1024
# A Lua string in any of the three spellings a rockspec uses: "x", 'x' or [[x]].
_STRING = r"""(?:"([^"\n]*)"|'([^'\n]*)'|\[\[(.*?)\]\])"""
# [ \t], not \s, at the line start: tried at every line start, \s* would run across lines
# and make the search quadratic in a file of blank lines.
_PACKAGE = re.compile(rf"^[ \t]*package\s*=\s*{_STRING}", re.MULTILINE)
_VERSION = re.compile(rf"^[ \t]*version\s*=\s*{_STRING}", re.MULTILINE)
# LuaRocks versions always end in a rockspec revision: 1.0.0-1.
_ROCK_VERSION = re.compile(r"^[^\s-]+-\d+$")


class LuarocksFormat(FormatPlugin):
    PLUGIN_NAME = "luarocks"
    summary = "LuaRocks rockspecs (.rockspec) and rocks (.src.rock, .all.rock, .<arch>.rock)"

    def recognise(self, artifact: Artifact) -> bool:
        if artifact.filename.endswith(".rockspec") and artifact.kind is None:
            return bool(_PACKAGE.search(artifact.head.decode("utf-8", "replace")))
        return marked_format(artifact) == "luarocks"

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if artifact.kind == "zip":
            member = find_member(
                artifact, r"[^/]+\.rockspec$", "is not a rock: it has no <name>-<version>.rockspec"
            )
            where = f"{member} inside"
            source = artifact.read_text(member, limit=_MAX_ROCKSPEC_BYTES)
        elif artifact.kind is None:
            where, source = "it", _read_rockspec(artifact)
        else:
            raise ArtifactError(artifact.path, "is neither a rockspec nor a rock (a zip)")
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


def _read_rockspec(artifact: Artifact) -> str:
    data = read_file(artifact.path, _MAX_ROCKSPEC_BYTES, "a rockspec")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ArtifactError(artifact.path, "is not a rockspec: it is not UTF-8 text") from None


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return LuarocksFormat
