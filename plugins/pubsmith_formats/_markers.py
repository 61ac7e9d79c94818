"""Which format an archive's marker members point at, and helpers to parse those members.

A ``.tgz`` may be an npm package, a helm chart, a dart package, a pod, a terraform module,
a crate, an R source package or a python sdist; a ``.zip`` may be a composer package, a Go
module or a LuaRocks rock. Each is told apart by a marker member, and a few archives hold
more than one marker (npm packages of React Native libraries ship a ``.podspec``; python
sdists of Rust extensions ship ``Cargo.toml``). :func:`marked_format` settles every such
archive on one format, strongest marker first, so that those plugins never both claim it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pubsmith import Artifact, ArtifactError
from pubsmith_formats._parse import DOCUMENT_BYTES, parse_json, parse_yaml

__all__ = [
    "find_member",
    "load_json",
    "load_yaml",
    "marked_format",
    "member_names",
    "require_kind",
    "require_text",
    "safe_member_names",
    "top_folder",
]

_Test = Callable[[list[str]], bool]


def member_names(artifact: Artifact) -> list[str]:
    """Member names without a leading ``./`` (GNU tar's habit), directories dropped."""
    names = []
    for name in artifact.names():
        name = name.removeprefix("./")
        if name and not name.endswith("/"):
            names.append(name)
    return names


def _any(pattern: str) -> _Test:
    compiled = re.compile(pattern)
    return lambda names: any(compiled.match(name) for name in names)


def _cran(names: list[str]) -> bool:
    present = set(names)
    return any(
        name.endswith("/DESCRIPTION")
        and name.count("/") == 1
        and name.replace("/DESCRIPTION", "/NAMESPACE") in present
        for name in names
    )


def top_folder(names: list[str]) -> str | None:
    """The one folder every member sits in, if there is exactly one."""
    tops = {name.split("/", 1)[0] for name in names}
    top = tops.pop() if len(tops) == 1 else None
    return top if top and any("/" in name for name in names) else None


def _npm_folder(names: list[str]) -> bool:
    # npm unpacks a tarball's one top folder whatever its name: @types packages use the
    # package's own (ms/package.json), not package/.
    top = top_folder(names)
    return top is not None and f"{top}/package.json" in names


def _hex(names: list[str]) -> bool:
    return {"VERSION", "CHECKSUM", "metadata.config", "contents.tar.gz"} <= set(names)


# Strongest marker first: a member only one format's tooling writes beats a file any
# project may carry (a `.tf`, a `composer.json`). Each marker counts only in the kinds of
# archive its format uses. "python" is not ours; it is listed so that an sdist which
# happens to hold another marker is left to the python plugin.
_BOTH = ("zip", "tar")
_MARKERS: tuple[tuple[str, tuple[str, ...], _Test], ...] = (
    ("python", _BOTH, _any(r"[^/]+/PKG-INFO$|[^/]+\.dist-info/WHEEL$")),
    ("hex", ("tar",), _hex),
    ("conda", _BOTH, _any(r"info/index\.json$|info-[^/]+\.tar\.zst$")),
    ("npm", ("tar",), _any(r"package/package\.json$")),
    ("go", ("zip",), _any(r"[^@]+@v[^/]+/go\.mod$")),
    ("cargo", ("tar",), _any(r"[^/]+/Cargo\.toml\.orig$")),
    ("luarocks", ("zip",), _any(r"[^/]+\.rockspec$")),
    ("helm", ("tar",), _any(r"[^/]+/Chart\.yaml$")),
    ("dart", ("tar",), _any(r"pubspec\.yaml$")),
    ("cran", _BOTH, _cran),
    ("composer", ("zip",), _any(r"([^/]+/)?composer\.json$")),
    ("cocoapods", ("tar",), _any(r"([^/]+/)?[^/]+\.podspec(\.json)?$")),
    ("terraform", ("tar",), _any(r"([^/]+/)?[^/]+\.tf$")),
    # Any one folder holding a package.json is npm's too, but only if nothing above claims it.
    ("npm", ("tar",), _npm_folder),
)


def safe_member_names(artifact: Artifact) -> list[str]:
    """:func:`member_names` of a zip or tar; empty for anything else, corrupt ones included.

    For ``recognise``, which must not raise: ``read_metadata`` under ``--format`` is where a
    corrupt archive is reported.
    """
    try:
        return member_names(artifact) if artifact.kind in ("zip", "tar") else []
    except ArtifactError:
        return []


def marked_format(artifact: Artifact) -> str | None:
    """The format whose marker member the archive holds, strongest first; ``None`` if none."""
    names = safe_member_names(artifact)
    return next(
        (name for name, kinds, test in _MARKERS if artifact.kind in kinds and test(names)), None
    )


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
