from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import ComposerPackageUploadRequest

from pubsmith import Artifact, ArtifactError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_tar, make_zip


@pytest.fixture
def package(fixtures_dir: Path) -> Path:
    return fixtures_dir / "composer" / "acme-strings-1.4.0.zip"


def test_name_comes_from_composer_json_and_version_from_the_user(
    registry: FormatRegistry, package: Path
) -> None:
    plan = plan_package(registry, package, options={"version": "1.4.0"})
    assert (plan.format, plan.name, plan.version) == ("composer", "acme/strings", "1.4.0")
    request = ComposerPackageUploadRequest(**plan.preview_payload())
    assert request.package_file == "<upload:acme-strings-1.4.0.zip>"
    assert request.version == "1.4.0"


def test_a_package_without_a_version_sends_none(registry: FormatRegistry, package: Path) -> None:
    # The API model and Cloudsmith's CLI leave version optional: nobody states one here.
    plan = plan_package(registry, package)
    assert (plan.name, plan.version) == ("acme/strings", None)
    assert plan.preview_payload() == {"package_file": "<upload:acme-strings-1.4.0.zip>"}
    assert ComposerPackageUploadRequest(**plan.preview_payload()).version is None


def test_version_in_composer_json_needs_no_option(registry: FormatRegistry, tmp_path: Path) -> None:
    # A GitHub zipball: everything one folder down.
    path = make_zip(
        tmp_path / "acme-box.zip",
        {"acme-box-abc123/composer.json": '{"name": "acme/box", "version": "2.0.0"}'},
    )
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "composer"
    payload = plan_package(registry, path).preview_payload()
    assert ComposerPackageUploadRequest(**payload).version == "2.0.0"
    overridden = plan_package(registry, path, options={"version": "2.0.1"}).preview_payload()
    assert overridden["version"] == "2.0.1"


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({"src/A.php": "<?php"}, "has no composer.json at its root or one folder down"),
        ({"composer.json": "{'name': 1}"}, "composer.json inside is not valid JSON"),
        ({"composer.json": '{"type": "library"}'}, "composer.json inside has no name"),
        (
            {"composer.json": '{"name": "strings"}'},
            "names the package 'strings', not vendor/package",
        ),
    ],
)
def test_broken_package_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str], problem: str
) -> None:
    path = make_zip(tmp_path / "broken.zip", members)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "composer")
    assert caught.value.path == path


def test_tarball_is_not_a_composer_package(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_tar(tmp_path / "pkg.tar.gz", {"composer.json": '{"name": "a/b"}'})
    assert registry.get("composer").recognise(Artifact(path)) is Strength.NONE
    with pytest.raises(ArtifactError, match=r"\(not a zip\); use composer archive"):
        registry.inspect(path, "composer")
