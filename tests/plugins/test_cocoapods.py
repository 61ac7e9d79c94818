from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import CocoapodsPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, truncated_copy
from tests.support.lookalikes import LOOKALIKES, lookalike

RUBY_SPEC = """\
Pod::Spec.new do |spec|
  spec.name         = 'Reachability'
  spec.version      = "3.1.0"
  spec.source       = { :git => 'https://example.invalid/r.git', :tag => "v#{spec.version}" }
end
"""


@pytest.fixture
def pod(fixtures_dir: Path) -> Path:
    return fixtures_dir / "cocoapods" / "AcmeKit-0.4.0.tar.gz"


def test_fixture_is_detected_as_cocoapods(registry: FormatRegistry, pod: Path) -> None:
    assert registry.detect(Artifact(pod)).PLUGIN_NAME == "cocoapods"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_claims_only_cocoapods_lookalikes(
    registry: FormatRegistry, tmp_path: Path, kind: str
) -> None:
    assert registry.get("cocoapods").recognise(lookalike(tmp_path, kind)) is (kind == "cocoapods")


def test_npm_package_shipping_a_podspec_is_not_a_pod(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_tar(
        tmp_path / "rn.tgz",
        {"package/package.json": "{}", "package/RNThing.podspec": RUBY_SPEC},
    )
    assert not registry.get("cocoapods").recognise(Artifact(path))


def test_name_and_version_come_from_the_json_podspec(registry: FormatRegistry, pod: Path) -> None:
    plan = plan_package(registry, pod)
    assert (plan.format, plan.name, plan.version) == ("cocoapods", "AcmeKit", "0.4.0")


def test_literal_ruby_podspec_in_a_source_folder_is_read(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_tar(
        tmp_path / "Reachability-3.1.0.tar.gz",
        {"Reachability-3.1.0/Reachability.podspec": RUBY_SPEC, "Reachability-3.1.0/R.m": ""},
    )
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "cocoapods"
    plan = plan_package(registry, path)
    assert (plan.name, plan.version) == ("Reachability", "3.1.0")


def test_computed_ruby_version_is_left_to_cloudsmith(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    spec = "Pod::Spec.new do |s|\n  s.name = 'Dyn'\n  s.version = File.read('VERSION').strip\nend\n"
    path = make_tar(tmp_path / "dyn.tar.gz", {"Dyn.podspec": spec})
    plan = plan_package(registry, path)
    assert (plan.name, plan.version) == ("Dyn", None)


def test_payload_is_accepted_by_the_official_binding(registry: FormatRegistry, pod: Path) -> None:
    payload = plan_package(registry, pod).preview_payload()
    request = CocoapodsPackageUploadRequest(**payload)
    assert request.package_file == "<upload:AcmeKit-0.4.0.tar.gz>"
    assert set(payload) == {"package_file"}


def test_cocoapods_takes_no_options(registry: FormatRegistry, pod: Path) -> None:
    with pytest.raises(OptionError, match="option 'name'"):
        plan_package(registry, pod, options={"name": "Other"})


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({"README.md": "# no spec\n"}, "has no <Pod>.podspec.json or <Pod>.podspec"),
        ({"A.podspec.json": "{'single': 'quotes'}"}, "A.podspec.json inside is not valid JSON"),
        ({"A.podspec.json": '{"name": "A"}'}, "A.podspec.json inside has no version"),
        (
            {"A.podspec": "puts 'hello'\n"},
            r"A.podspec inside is not a podspec \(no Pod::Spec.new\)",
        ),
        ({"A.podspec": b"\xff\xfe binary"}, "A.podspec inside is not UTF-8 text"),
    ],
)
def test_broken_pod_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str], problem: str
) -> None:
    path = make_tar(tmp_path / "broken.tar.gz", members)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "cocoapods")
    assert caught.value.path == path


def test_truncated_pod_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, pod: Path
) -> None:
    broken = truncated_copy(pod, tmp_path / "cut.tar.gz")
    with pytest.raises(ArtifactError, match="corrupt or truncated"):
        registry.inspect(broken, "cocoapods")
