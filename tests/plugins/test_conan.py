from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cloudsmith_api.models import ConanPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, truncated_copy
from tests.support.lookalikes import LOOKALIKES, lookalike

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


def test_fixture_is_detected_as_conan(registry: FormatRegistry, package: Path) -> None:
    assert registry.detect(Artifact(package)).PLUGIN_NAME == "conan"


def test_renamed_package_is_recognised_by_its_info_file(
    registry: FormatRegistry, copied: Path
) -> None:
    renamed = copied.rename(copied.with_name("acme-greeting-1.0.0.tgz"))
    assert registry.detect(Artifact(renamed)).PLUGIN_NAME == "conan"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_other_formats_are_not_conan(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("conan").recognise(lookalike(tmp_path, kind)) is False


def test_companions_are_not_packages(registry: FormatRegistry, package: Path) -> None:
    for name in FILES[1:]:
        assert registry.get("conan").recognise(Artifact(package.parent / name)) is False


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
    other.write_text("1\n")
    plan = plan_package(registry, copied, options={"version": "1.0.1", "manifest_file": str(other)})
    assert plan.version == "1.0.1"
    assert plan.values["manifest_file"] == other


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


def test_truncated_package_is_refused(
    registry: FormatRegistry, tmp_path: Path, package: Path
) -> None:
    path = truncated_copy(package, tmp_path / "conan_package.tgz", keep=0.6)
    with pytest.raises(ArtifactError) as caught:
        registry.inspect(path, "conan")
    assert caught.value.path == path


def test_plain_tar_under_format_conan_is_refused(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_tar(tmp_path / "conan_package.tar", {"a.h": ""}, compression=None)
    with pytest.raises(ArtifactError, match="is not a Conan package archive"):
        registry.inspect(path, "conan")
