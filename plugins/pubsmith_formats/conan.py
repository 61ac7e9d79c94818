"""Conan 2 packages: the three files ``conan upload`` sends for one binary package, and its recipe.

Cloudsmith's conan upload takes one binary package: ``conan_package.tgz`` (package_file)
with the two files ``conan upload`` sends beside it, the package's ``conaninfo.txt``
(info_file) and the package's ``conanmanifest.txt`` (manifest_file), which lists
``conaninfo.txt`` and every file of the tarball; and the recipe, ``conanfile.py``
(metadata_file), whose class attributes name the package. The recipe has a
``conanmanifest.txt`` of its own, listing exported files the request has no field for: it
is refused as manifest_file, naming the one to give instead.

In Conan's cache, ``conan upload`` prepares the package's three files in the package's
``d/`` folder, and the recipe lives in another folder (``conan cache path NAME/VERSION``
prints it), given with ``-o metadata_file=``. Where all four files lie in one folder, each
is found beside the package.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, Strength, hookimpl
from pubsmith_formats._parse import read_file

__all__ = ["ConanFormat", "pubsmith_register_format"]

_PACKAGE = "conan_package.tgz"
_INFO = "conaninfo.txt"
_RECIPE = "conanfile.py"
_COMPANIONS = {"info_file": _INFO, "manifest_file": "conanmanifest.txt", "metadata_file": _RECIPE}
# ast.parse builds some 600 bytes of objects for every byte of source it is given: a real
# recipe is a few KiB (boost's, among the largest, about 90), a hostile 1 MiB one 600 MiB.
_MAX_RECIPE_BYTES = 128 * 1024
_MAX_MANIFEST_BYTES = 16 * 1024 * 1024


class ConanFormat(FormatPlugin):
    PLUGIN_NAME = "conan"
    summary = "Conan packages (conan_package.tgz with its conaninfo.txt, manifest and recipe)"
    options = (
        Option("info_file", "the package's conaninfo.txt (default: beside it)", "file", True),
        Option(
            "manifest_file",
            "the package's conanmanifest.txt, sent by conan upload with conan_package.tgz "
            "(default: beside it)",
            "file",
            True,
        ),
        Option(
            "metadata_file",
            "the recipe, conanfile.py (default: beside it; from Conan's cache, the one in "
            "`conan cache path NAME/VERSION`)",
            "file",
            True,
        ),
        Option("name", "Package name (default: from conanfile.py)"),
        Option("version", "Package version (default: from conanfile.py)"),
        Option("conan_prefix", "Conan user: USER in NAME/VERSION@USER/CHANNEL"),
        Option("conan_channel", "Conan channel: CHANNEL in NAME/VERSION@USER/CHANNEL"),
    )

    def recognise(self, artifact: Artifact) -> Strength:
        # The tarball holds only the package's own files: only its name, or the package's
        # conaninfo.txt beside it, says it is Conan's.
        beside = artifact.path.parent / _INFO
        if artifact.kind == "tar" and (artifact.filename == _PACKAGE or beside.is_file()):
            return Strength.CONTAINER
        return Strength.NONE

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if artifact.kind != "tar" or artifact.compression != "gz":
            raise ArtifactError(
                artifact.path, f"is not a Conan package archive (a gzipped tar such as {_PACKAGE})"
            )
        artifact.names()  # a truncated archive fails here, before anything is uploaded
        return PackageInfo()

    def find_companions(self, artifact: Artifact) -> dict[str, Path]:
        found = {option: artifact.path.parent / name for option, name in _COMPANIONS.items()}
        return {option: path for option, path in found.items() if path.is_file()}

    def read_companions(self, artifact: Artifact, values: Mapping[str, Any]) -> PackageInfo:
        manifest, info, recipe = (
            values.get(option) for option in ("manifest_file", "info_file", "metadata_file")
        )
        if isinstance(manifest, Path):
            _check_package_manifest(manifest, info if isinstance(info, Path) else None)
        if not isinstance(recipe, Path):
            return PackageInfo()
        attributes = _recipe_attributes(recipe)
        return PackageInfo(
            name=attributes.get("name"), version=attributes.get("version"), fields=attributes
        )


def _check_package_manifest(manifest: Path, info: Path | None) -> None:
    """Refuse the recipe's manifest, or a package manifest of another package's info."""
    listed = _manifest_entries(manifest)
    if _RECIPE in listed and _INFO not in listed:
        raise ArtifactError(
            manifest,
            f"is the recipe's manifest (it lists {_RECIPE}); Cloudsmith takes the package's, "
            f"which conan upload sends beside {_PACKAGE} (in Conan's cache, in the package's "
            "d/ folder): pass it with -o manifest_file=PATH",
        )
    if _INFO not in listed:
        raise ArtifactError(manifest, f"is not a Conan package manifest: it lists no {_INFO}")
    if info is not None and listed[_INFO] != _md5(info):
        raise ArtifactError(
            manifest,
            f"lists another {_INFO} than {info} (their checksums differ): the two files come "
            "from different packages",
        )


def _manifest_entries(manifest: Path) -> dict[str, str]:
    """``path: md5`` lines after the timestamp line, as Conan's FileTreeManifest writes."""
    data = read_file(manifest, _MAX_MANIFEST_BYTES, "a Conan manifest")
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise ArtifactError(manifest, "is not a Conan manifest (it is not UTF-8 text)") from None
    if not lines or not lines[0].strip().isdigit():
        raise ArtifactError(manifest, "is not a Conan manifest (no timestamp line)")
    entries = {}
    for line in lines[1:]:
        path, separator, digest = line.rpartition(": ")
        if separator:
            entries[path] = digest.strip()
    return entries


def _md5(path: Path) -> str:
    """The md5 Conan's manifests list a file by (a checksum, not a security measure)."""
    digest = hashlib.md5(usedforsecurity=False)
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(1024 * 1024):
                digest.update(chunk)
    except OSError as exc:
        raise ArtifactError(path, f"cannot be read ({exc.strerror})") from None
    return digest.hexdigest()


def _recipe_attributes(recipe: Path) -> dict[str, str]:
    """String ``name`` and ``version`` attributes of the recipe's ConanFile class, unexecuted."""
    source = read_file(recipe, _MAX_RECIPE_BYTES, "a Conan recipe")
    try:
        tree = ast.parse(source, filename=str(recipe))
    except (SyntaxError, ValueError) as exc:
        raise ArtifactError(recipe, f"is not valid Python ({exc}); fix the recipe") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(_names_conanfile(base) for base in node.bases):
            return dict(_string_attributes(node))
    raise ArtifactError(recipe, "has no class deriving from ConanFile; is it a Conan recipe?")


def _names_conanfile(base: ast.expr) -> bool:
    return (isinstance(base, ast.Name) and base.id == "ConanFile") or (
        isinstance(base, ast.Attribute) and base.attr == "ConanFile"
    )


def _string_attributes(cls: ast.ClassDef) -> list[tuple[str, str]]:
    found = []
    for statement in cls.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        value = getattr(statement, "value", None)
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value):
            continue
        for target in targets:
            if isinstance(target, ast.Name) and target.id in ("name", "version"):
                found.append((target.id, value.value.strip()))
    return found


@hookimpl
def pubsmith_register_format() -> type[FormatPlugin]:
    return ConanFormat
