from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import DartPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, make_zip, truncated_copy
from tests.support.lookalikes import LOOKALIKES, lookalike


@pytest.fixture
def package(fixtures_dir: Path) -> Path:
    return fixtures_dir / "dart" / "acme_hello-1.0.2.tar.gz"


def test_fixture_is_detected_as_dart(registry: FormatRegistry, package: Path) -> None:
    assert registry.detect(Artifact(package)).PLUGIN_NAME == "dart"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_claims_only_dart_lookalikes(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("dart").recognise(lookalike(tmp_path, kind)) is (kind == "dart")


def test_pubspec_deeper_than_the_root_is_not_a_package(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_tar(tmp_path / "repo.tgz", {"repo/pubspec.yaml": "name: x\nversion: 1.0.0\n"})
    assert not registry.get("dart").recognise(Artifact(path))


def test_tar_made_with_dot_prefix_is_read(registry: FormatRegistry, tmp_path: Path) -> None:
    # `tar -czf pkg.tar.gz .` stores ./pubspec.yaml
    path = make_tar(tmp_path / "dot.tar.gz", {"./pubspec.yaml": "name: dotted\nversion: 0.0.1\n"})
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "dart"
    plan = plan_package(registry, path)
    assert (plan.name, plan.version) == ("dotted", "0.0.1")


def test_name_and_version_come_from_pubspec(registry: FormatRegistry, package: Path) -> None:
    plan = plan_package(registry, package)
    assert (plan.format, plan.name, plan.version) == ("dart", "acme_hello", "1.0.2")


def test_payload_is_accepted_by_the_official_binding(
    registry: FormatRegistry, package: Path
) -> None:
    payload = plan_package(registry, package, republish=True).preview_payload()
    request = DartPackageUploadRequest(**payload)
    assert payload == {"package_file": "<upload:acme_hello-1.0.2.tar.gz>", "republish": True}
    assert request.republish is True


def test_dart_takes_no_options(registry: FormatRegistry, package: Path) -> None:
    with pytest.raises(OptionError, match="option 'version'") as caught:
        plan_package(registry, package, options={"version": "9.9.9"})
    assert caught.value.key == "version"


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({"lib/a.dart": ""}, "has no pubspec.yaml at its root"),
        ({"pubspec.yaml": "name: x\n  version: : 1\n"}, "pubspec.yaml inside is not valid YAML"),
        ({"pubspec.yaml": "just a string\n"}, "is not a YAML mapping"),
        ({"pubspec.yaml": "name: x\n"}, "pubspec.yaml inside has no version"),
        ({"pubspec.yaml": "version: 1.0.0\n"}, "pubspec.yaml inside has no name"),
    ],
)
def test_broken_package_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str], problem: str
) -> None:
    path = make_tar(tmp_path / "broken.tar.gz", members)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "dart")
    assert caught.value.path == path


def test_zip_is_not_a_dart_package(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_zip(tmp_path / "pkg.zip", {"pubspec.yaml": "name: x\nversion: 1.0.0\n"})
    with pytest.raises(ArtifactError, match="not a tar archive"):
        registry.inspect(path, "dart")


def test_truncated_package_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, package: Path
) -> None:
    broken = truncated_copy(package, tmp_path / "cut.tar.gz")
    with pytest.raises(ArtifactError, match="corrupt or truncated"):
        registry.inspect(broken, "dart")
