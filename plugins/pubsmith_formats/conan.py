"""Conan 2 packages: the files ``conan upload`` sends, published together.

The package is ``conan_package.tgz``; beside it lie ``conaninfo.txt`` (the package's info),
the recipe's ``conanmanifest.txt`` and the recipe itself, ``conanfile.py``. The tarball holds
only the package's own files, so it is recognised by its name or by ``conaninfo.txt`` beside
it, and name and version come from the recipe's class attributes.
"""

from __future__ import annotations

import ast
from pathlib import Path

from pubsmith import Artifact, ArtifactError, FormatPlugin, Option, PackageInfo, hookimpl
from pubsmith_formats._parse import read_file

__all__ = ["ConanFormat"]

_PACKAGE = "conan_package.tgz"
_COMPANIONS = {
    "info_file": "conaninfo.txt",
    "manifest_file": "conanmanifest.txt",
    "metadata_file": "conanfile.py",
}
# ast.parse builds some 600 bytes of objects for every byte of source it is given: a real
# recipe is a few KiB (boost's, among the largest, about 90), a hostile 1 MiB one 600 MiB.
_MAX_RECIPE_BYTES = 128 * 1024


class ConanFormat(FormatPlugin):
    PLUGIN_NAME = "conan"
    summary = "Conan packages (conan_package.tgz; the recipe and info files beside it go along)"
    options = (
        Option("info_file", "the package's conaninfo.txt; found beside it", "file", True),
        Option("manifest_file", "the recipe's conanmanifest.txt; found beside it", "file", True),
        Option("metadata_file", "the recipe, conanfile.py; found beside it", "file", True),
        Option("name", "Package name (default: from conanfile.py)"),
        Option("version", "Package version (default: from conanfile.py)"),
        Option("conan_prefix", "Conan user: USER in NAME/VERSION@USER/CHANNEL"),
        Option("conan_channel", "Conan channel: CHANNEL in NAME/VERSION@USER/CHANNEL"),
    )

    def recognise(self, artifact: Artifact) -> bool:
        beside = artifact.path.parent / _COMPANIONS["info_file"]
        return artifact.kind == "tar" and (artifact.filename == _PACKAGE or beside.is_file())

    def read_metadata(self, artifact: Artifact) -> PackageInfo:
        if artifact.kind != "tar" or artifact.compression != "gz":
            raise ArtifactError(
                artifact.path, f"is not a Conan package archive (a gzipped tar such as {_PACKAGE})"
            )
        artifact.names()  # a truncated archive fails here, before anything is uploaded
        recipe = artifact.path.parent / _COMPANIONS["metadata_file"]
        if not recipe.is_file():
            return PackageInfo()
        attributes = _recipe_attributes(recipe)
        return PackageInfo(name=attributes.get("name"), version=attributes.get("version"))

    def find_companions(self, artifact: Artifact) -> dict[str, Path]:
        found = {option: artifact.path.parent / name for option, name in _COMPANIONS.items()}
        return {option: path for option, path in found.items() if path.is_file()}


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
