"""Helpers the builtin plugins share to find and parse the marker members of archives.

Each plugin owns its markers and says how strong they are in its own ``recognise``; these
functions only list, find and parse members, so that no plugin needs another's code.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from pubsmith import Artifact, ArtifactError
from pubsmith_formats._parse import DOCUMENT_BYTES, parse_json, parse_yaml

__all__ = [
    "find_member",
    "load_json",
    "load_yaml",
    "matching",
    "member_names",
    "require_kind",
    "require_text",
    "safe_member_names",
]


# Every plugin's recognise asks for these names: made once per artifact, not once per
# plugin (a jar of 27,000 classes was otherwise cleaned a dozen times in one detection).
_NAMES: weakref.WeakKeyDictionary[Artifact, tuple[str, ...]] = weakref.WeakKeyDictionary()


def member_names(artifact: Artifact) -> list[str]:
    """Member names without a leading ``./`` (GNU tar's habit), directories dropped."""
    names = _NAMES.get(artifact)
    if names is None:
        stripped = (name.removeprefix("./") for name in artifact.names())
        names = _NAMES[artifact] = tuple(
            name for name in stripped if name and not name.endswith("/")
        )
    return list(names)


def safe_member_names(artifact: Artifact) -> list[str]:
    """:func:`member_names` of a zip or tar; empty for anything else, corrupt ones included.

    For ``recognise``, which must not raise: ``read_metadata`` under ``--format`` is where a
    corrupt archive is reported.
    """
    try:
        return member_names(artifact) if artifact.kind in ("zip", "tar") else []
    except ArtifactError:
        return []


def matching(names: list[str], pattern: str) -> bool:
    """Whether any of ``names`` matches ``pattern`` from its start."""
    compiled = re.compile(pattern)
    return any(compiled.match(name) for name in names)


def require_kind(artifact: Artifact, kinds: tuple[str, ...], problem: str) -> None:
    """Raise ``ArtifactError(problem)`` unless the content is one of these archive kinds."""
    if artifact.kind in kinds:
        return
    if artifact.kind is None and artifact.compression and "tar" in kinds:
        # A cut-off .tar.bz2 fails to decompress even its first block, so it has no kind.
        raise ArtifactError(
            artifact.path,
            f"is {artifact.compression}-compressed but no tar archive can be read from it: "
            "corrupt or truncated; download or build it again",
        )
    raise ArtifactError(artifact.path, problem)


def find_member(artifact: Artifact, pattern: str, problem: str) -> str:
    """The first member (as stored) whose ``./``-less name matches ``pattern``.

    ``problem`` is the ``ArtifactError`` message when there is none.
    """
    compiled = re.compile(pattern)
    for name in artifact.names():
        if compiled.match(name.removeprefix("./")):
            return name
    raise ArtifactError(artifact.path, problem)


def load_json(artifact: Artifact, member: str) -> dict[str, Any]:
    """A member parsed as a JSON object, or ``ArtifactError`` saying why it is not one."""
    text = artifact.read_text(member, limit=DOCUMENT_BYTES)
    data = parse_json(artifact, text, f"{member} inside")
    if not isinstance(data, dict):
        raise ArtifactError(artifact.path, f"{member} inside is not a JSON object")
    return data


def load_yaml(artifact: Artifact, member: str) -> dict[str, Any]:
    """A member parsed as a YAML mapping, or ``ArtifactError`` saying why it is not one."""
    text = artifact.read_text(member, limit=DOCUMENT_BYTES)
    data = parse_yaml(artifact, text, f"{member} inside")
    if not isinstance(data, dict):
        raise ArtifactError(artifact.path, f"{member} inside is not a YAML mapping")
    return data


def require_text(artifact: Artifact, data: dict[str, Any], key: str, member: str) -> str:
    """``data[key]`` as a non-empty string (numbers such as YAML's ``1.0`` are accepted)."""
    value = data.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ArtifactError(artifact.path, f"{member} inside has no {key}; add one and rebuild")
    return value.strip()
