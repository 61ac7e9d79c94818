from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import ComposerPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, make_zip, truncated_copy
from tests.support.lookalikes import LOOKALIKES, lookalike


@pytest.fixture
def package(fixtures_dir: Path) -> Path:
    return fixtures_dir / "composer" / "acme-strings-1.4.0.zip"


def test_fixture_is_detected_as_composer(registry: FormatRegistry, package: Path) -> None:
    assert registry.detect(Artifact(package)).PLUGIN_NAME == "composer"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_claims_only_composer_lookalikes(
    registry: FormatRegistry, tmp_path: Path, kind: str
) -> None:
    assert registry.get("composer").recognise(lookalike(tmp_path, kind)) is (kind == "composer")


def test_name_comes_from_composer_json_and_version_from_the_user(
    registry: FormatRegistry, package: Path
) -> None:
    plan = plan_package(registry, package, options={"version": "1.4.0"})
    assert (plan.format, plan.name, plan.version) == ("composer", "acme/strings", "1.4.0")
    request = ComposerPackageUploadRequest(**plan.preview_payload())
    assert request.package_file == "<upload:acme-strings-1.4.0.zip>"
    assert request.version == "1.4.0"


def test_missing_version_is_an_option_error_naming_it(
    registry: FormatRegistry, package: Path
) -> None:
    with pytest.raises(OptionError, match="-o version=VALUE") as caught:
        plan_package(registry, package)
    assert caught.value.key == "version"
    assert caught.value.path == package


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
    assert not registry.get("composer").recognise(Artifact(path))
    with pytest.raises(ArtifactError, match=r"\(not a zip\); use composer archive"):
        registry.inspect(path, "composer")


def test_truncated_zip_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, package: Path
) -> None:
    broken = truncated_copy(package, tmp_path / package.name)
    assert not registry.get("composer").recognise(Artifact(broken))
    with pytest.raises(ArtifactError, match="corrupt or truncated") as caught:
        registry.inspect(broken, "composer")
    assert str(broken) in str(caught.value)
