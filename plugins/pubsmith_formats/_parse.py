"""Metadata documents (JSON, YAML) parsed within limits.

Parsed into Python objects a document grows many times over: 2 MiB of JSON such as
``[{},{},...]`` becomes some 60 MiB, and PyYAML builds about 750 bytes for every node
and parses perhaps 30,000 nodes a second. So documents are read capped at
:data:`DOCUMENT_BYTES`, far above any real manifest, and YAML's nodes are counted
before it is parsed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pubsmith import Artifact, ArtifactError

__all__ = ["DOCUMENT_BYTES", "YAML_NODES", "parse_json", "parse_yaml", "read_file"]

DOCUMENT_BYTES = 2 * 1024 * 1024
YAML_NODES = 50_000
# Every YAML node but the first is introduced by one of these: a line, an item marker,
# a key separator, a flow collection or a complex key.
_YAML_MARKS = (b"\n", b"-", b":", b",", b"[", b"{", b"?")


def read_file(path: Path, limit: int, what: str) -> bytes:
    """A whole small file (a rockspec, a pom beside a jar), at most ``limit`` bytes.

    ``ArtifactError`` if it cannot be read, or is too large to be ``what`` ("a pom").
    """
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        raise ArtifactError(path, f"cannot be read ({exc.strerror})") from None
    if len(data) > limit:
        raise ArtifactError(path, f"is too large to be {what}")
    return data


def parse_json(artifact: Artifact, data: bytes | str, what: str) -> Any:
    """``data`` parsed as JSON; ``what`` names it in the ``ArtifactError`` if it is not
    ("package.json inside", or "" for the file itself)."""
    subject = f"{what} " if what else ""
    try:
        return json.loads(data)
    except ValueError as exc:
        raise ArtifactError(artifact.path, f"{subject}is not valid JSON ({exc})") from None
    except RecursionError:
        problem = f"{subject}nests too deeply to be JSON metadata"
        raise ArtifactError(artifact.path, problem) from None


def parse_yaml(
    artifact: Artifact,
    text: str | bytes,
    what: str,
    *,
    plain: bool = False,
    invalid: str = "is not valid YAML",
) -> Any:
    """``text`` parsed as YAML, or an ``ArtifactError`` naming ``what`` and saying ``invalid``.

    ``plain`` builds only strings, lists and dicts (PyYAML's BaseLoader): tags such as
    Ruby's ``!ruby/object`` become plain mappings, and ``1.10`` stays a string.
    """
    import yaml  # here, not at the top: it is a tenth of start-up, and few files need it

    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    marks = sum(data.count(mark) for mark in _YAML_MARKS)
    if marks > YAML_NODES:
        artifact.budget.refuse(
            f"{what} is implausibly large YAML (over {YAML_NODES:,} entries); "
            "check where the file came from"
        )
    # libyaml's loaders are the same loaders in C: several times faster, and they refuse
    # deep nesting instead of exhausting Python's recursion limit.
    with_c = getattr(yaml, "__with_libyaml__", False)
    loader: type[yaml.BaseLoader | yaml.SafeLoader | yaml.CBaseLoader | yaml.CSafeLoader]
    if plain:
        loader = yaml.CBaseLoader if with_c else yaml.BaseLoader
    else:
        loader = yaml.CSafeLoader if with_c else yaml.SafeLoader
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506  (safe and base loaders build no objects)
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise ArtifactError(artifact.path, f"{what} {invalid} ({problem})") from None
    except RecursionError:
        raise ArtifactError(artifact.path, f"{what} nests too deeply to be YAML metadata") from None
