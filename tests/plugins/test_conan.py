from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cloudsmith_api.models import ConanPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_tar

FILES = ("conan_package.tgz", "conaninfo.txt", "conanmanifest.txt", "conanfile.py")


@pytest.fixture
def package(fixtures_dir: Path) -> Path:
    return fixtures_dir / "conan" / "conan_package.tgz"


@pytest.fixture
def copied(tmp_path: Path, package: Path) -> Path:
    """The fixture's four files copied to a folder of their own; returns the package's path."""
    for name in FILES:
        shutil.copy(package.parent / name, tmp_path / name)
    return tmp_path / "conan_package.tgz"


def test_renamed_package_is_recognised_by_its_info_file(
    registry: FormatRegistry, copied: Path
) -> None:
    renamed = copied.rename(copied.with_name("acme-greeting-1.0.0.tgz"))
    assert registry.detect(Artifact(renamed)).PLUGIN_NAME == "conan"


def test_companions_are_not_packages(registry: FormatRegistry, package: Path) -> None:
    for name in FILES[1:]:
        assert registry.get("conan").recognise(Artifact(package.parent / name)) is Strength.NONE


def test_name_and_version_come_from_the_recipe(registry: FormatRegistry, package: Path) -> None:
    plan = plan_package(registry, package)
    assert (plan.format, plan.name, plan.version) == ("conan", "acme-greeting", "1.0.0")


def test_payload_has_every_file_and_the_reference(registry: FormatRegistry, package: Path) -> None:
    options = {"conan_prefix": "acme", "conan_channel": "stable"}
    request = ConanPackageUploadRequest(
        **plan_package(registry, package, options=options).preview_payload()
    )
    assert request.package_file == "<upload:conan_package.tgz>"
    assert request.info_file == "<upload:conaninfo.txt>"
    assert request.manifest_file == "<upload:conanmanifest.txt>"
    assert request.metadata_file == "<upload:conanfile.py>"
    assert (request.name, request.version) == ("acme-greeting", "1.0.0")
    assert (request.conan_prefix, request.conan_channel) == ("acme", "stable")


def test_options_override_the_recipe(
    registry: FormatRegistry, copied: Path, tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere" / "conanmanifest.txt"
    other.parent.mkdir()
    shutil.copy(copied.parent / "conanmanifest.txt", other)
    plan = plan_package(registry, copied, options={"version": "1.0.1", "manifest_file": str(other)})
    assert plan.version == "1.0.1"
    assert plan.values["manifest_file"] == other
    assert plan.preview_payload()["version"] == "1.0.1"


def test_the_help_says_the_manifest_is_the_packages(registry: FormatRegistry) -> None:
    manifest = registry.get("conan").option("manifest_file")
    assert manifest is not None
    assert "the package's conanmanifest.txt" in manifest.help


def test_the_recipes_manifest_is_refused_naming_the_one_to_give(
    registry: FormatRegistry, copied: Path
) -> None:
    # What conan export writes into the recipe's folder: conanfile.py and exported files.
    recipe_manifest = copied.parent / "conanmanifest.txt"
    recipe_manifest.write_text(
        "1796127045\nconanfile.py: c6b1bfb9952ccc2982236dd5dbf3af7c\n"
        "export_source/include/acme/greeting.h: 2c6ff4ac9e8e42fcdf9a941288de0f0b\n"
    )
    with pytest.raises(
        ArtifactError, match=r"is the recipe's manifest .* -o manifest_file="
    ) as caught:
        plan_package(registry, copied)
    assert caught.value.path == recipe_manifest


def test_a_manifest_of_another_package_is_refused(registry: FormatRegistry, copied: Path) -> None:
    (copied.parent / "conaninfo.txt").write_text("[options]\nshout=True\n")
    with pytest.raises(ArtifactError, match="come from different packages") as caught:
        plan_package(registry, copied)
    assert caught.value.path == copied.parent / "conanmanifest.txt"


def _conan_cache(root: Path, fixture: Path) -> tuple[Path, Path]:
    """The layout conan upload leaves in Conan 2's cache: the package's three files in its
    download folder (p/b/<pkg>/d), the recipe in its own folder (p/<recipe>/e)."""
    download = root / "p" / "b" / "acme-c191d619f99c6" / "d"
    download.mkdir(parents=True)
    for name in ("conan_package.tgz", "conaninfo.txt", "conanmanifest.txt"):
        shutil.copy(fixture.parent / name, download / name)
    export = root / "p" / "acme-0d9a9e1b1d5b2" / "e"
    export.mkdir(parents=True)
    shutil.copy(fixture.parent / "conanfile.py", export / "conanfile.py")
    (export / "conanmanifest.txt").write_text("1796127045\nconanfile.py: 0\n")
    return download / "conan_package.tgz", export / "conanfile.py"


def test_conans_cache_layout_takes_the_package_manifest_and_the_recipe_given(
    registry: FormatRegistry, package: Path, tmp_path: Path
) -> None:
    tgz, recipe = _conan_cache(tmp_path, package)
    assert registry.detect(Artifact(tgz)).PLUGIN_NAME == "conan"
    with pytest.raises(OptionError, match="conan cache path") as caught:
        plan_package(registry, tgz)
    assert caught.value.key == "metadata_file"
    plan = plan_package(registry, tgz, options={"metadata_file": str(recipe)})
    assert (plan.name, plan.version) == ("acme-greeting", "1.0.0")
    assert plan.values["manifest_file"] == tgz.parent / "conanmanifest.txt"
    assert plan.values["info_file"] == tgz.parent / "conaninfo.txt"
    request = ConanPackageUploadRequest(**plan.preview_payload())
    assert (request.name, request.version) == ("acme-greeting", "1.0.0")
    assert request.metadata_file == "<upload:conanfile.py>"


def test_missing_companion_is_an_option_error_naming_it(
    registry: FormatRegistry, copied: Path
) -> None:
    (copied.parent / "conaninfo.txt").unlink()
    with pytest.raises(OptionError, match=r"info_file.*-o info_file=") as caught:
        plan_package(registry, copied)
    assert caught.value.key == "info_file"


def test_recipe_read_without_running_it(registry: FormatRegistry, copied: Path) -> None:
    (copied.parent / "conanfile.py").write_text(
        "import conan\nraise SystemExit('never run')\n\n"
        "class Pkg(conan.ConanFile):\n    name: str = 'zlib-ng'\n    version = '2.1.6'\n"
        "    def build(self):\n        pass\n"
    )
    plan = plan_package(registry, copied)
    assert (plan.name, plan.version) == ("zlib-ng", "2.1.6")


@pytest.mark.parametrize(
    ("recipe", "problem"),
    [
        ("class Pkg(ConanFile):\n  name = 'x'\n    version = '1'\n", "is not valid Python"),
        ("class Pkg:\n    name = 'x'\n", "has no class deriving from ConanFile"),
    ],
)
def test_broken_recipe_is_refused_naming_it(
    registry: FormatRegistry, copied: Path, recipe: str, problem: str
) -> None:
    path = copied.parent / "conanfile.py"
    path.write_text(recipe)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(copied)
    assert caught.value.path == path


def test_recipe_without_version_needs_the_option(registry: FormatRegistry, copied: Path) -> None:
    (copied.parent / "conanfile.py").write_text("class P(ConanFile):\n    name = 'x'\n")
    plan = plan_package(registry, copied, options={"version": "3.0"})
    assert (plan.name, plan.version) == ("x", "3.0")


def test_plain_tar_under_format_conan_is_refused(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_tar(tmp_path / "conan_package.tar", {"a.h": ""}, compress=False)
    with pytest.raises(ArtifactError, match="is not a Conan package archive"):
        registry.inspect(path, "conan")


def test_a_recipe_larger_than_any_real_one_is_refused_unparsed(
    registry: FormatRegistry, copied: Path
) -> None:
    # ast.parse holds some 600 bytes per byte of such a file: 300 KiB would take 180 MiB.
    recipe = copied.with_name("conanfile.py")
    recipe.write_text(recipe.read_text() + "x = 1\n" * 50_000)
    with pytest.raises(ArtifactError, match=r"conanfile\.py: is too large to be a Conan recipe"):
        plan_package(registry, copied)
