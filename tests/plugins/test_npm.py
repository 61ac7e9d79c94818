from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import NpmPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, truncated_copy
from tests.support.lookalikes import LOOKALIKES, lookalike


@pytest.fixture
def package(fixtures_dir: Path) -> Path:
    return fixtures_dir / "npm" / "acme-greeting-2.1.0.tgz"


def test_fixture_is_detected_as_npm(registry: FormatRegistry, package: Path) -> None:
    assert registry.detect(Artifact(package)).PLUGIN_NAME == "npm"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_claims_only_npm_lookalikes(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("npm").recognise(lookalike(tmp_path, kind)) is (kind == "npm")


def test_react_native_package_with_podspec_is_npm_only(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_tar(
        tmp_path / "rn.tgz",
        {
            "package/package.json": '{"name": "react-native-thing", "version": "0.1.0"}',
            "package/RNThing.podspec": "Pod::Spec.new do |s|\nend\n",
        },
    )
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "npm"


def test_scoped_name_and_version_come_from_package_json(
    registry: FormatRegistry, package: Path
) -> None:
    plan = plan_package(registry, package)
    assert (plan.format, plan.name, plan.version) == ("npm", "@acme/greeting", "2.1.0")


def test_payload_is_accepted_by_the_official_binding(
    registry: FormatRegistry, package: Path
) -> None:
    payload = plan_package(registry, package, tags=["fixture"]).preview_payload()
    request = NpmPackageUploadRequest(**payload)
    assert request.package_file == "<upload:acme-greeting-2.1.0.tgz>"
    assert "npm_dist_tag" not in payload
    assert request.npm_dist_tag == "latest"  # the binding's default when none is sent
    assert request.tags == "fixture"


def test_dist_tag_option_reaches_the_payload(registry: FormatRegistry, package: Path) -> None:
    payload = plan_package(registry, package, options={"npm_dist_tag": "next"}).preview_payload()
    assert NpmPackageUploadRequest(**payload).npm_dist_tag == "next"


def test_unknown_option_is_refused_by_name(registry: FormatRegistry, package: Path) -> None:
    with pytest.raises(OptionError, match="option 'distribution'") as caught:
        plan_package(registry, package, options={"distribution": "any"})
    assert caught.value.key == "distribution"


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({"notes/readme.txt": "hi"}, "has no package/package.json"),
        ({"package/package.json": "{not json"}, "package/package.json inside is not valid JSON"),
        ({"package/package.json": '["a"]'}, "is not a JSON object"),
        ({"package/package.json": '{"name": "x"}'}, "package/package.json inside has no version"),
        (
            {"package/package.json": '{"version": "1.0.0"}'},
            "package/package.json inside has no name",
        ),
    ],
)
def test_broken_package_json_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str], problem: str
) -> None:
    path = make_tar(tmp_path / "broken.tgz", members)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "npm")
    assert caught.value.path == path


def test_truncated_tarball_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, package: Path
) -> None:
    broken = truncated_copy(package, tmp_path / "cut.tgz")
    assert not registry.get("npm").recognise(Artifact(broken))
    with pytest.raises(ArtifactError, match="corrupt or truncated") as caught:
        registry.inspect(broken, "npm")
    assert str(broken) in str(caught.value)


def test_a_text_file_is_not_an_npm_package(registry: FormatRegistry, tmp_path: Path) -> None:
    path = tmp_path / "notes.tgz"
    path.write_text("just text\n")
    with pytest.raises(ArtifactError, match="not a tar archive"):
        registry.inspect(path, "npm")
