from __future__ import annotations

from pathlib import Path

import pytest

from pubsmith import Artifact, ArtifactError, OptionError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_tar

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


def test_npm_package_shipping_a_podspec_is_not_a_pod(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_tar(
        tmp_path / "rn.tgz",
        {"package/package.json": "{}", "package/RNThing.podspec": RUBY_SPEC},
    )
    # Any library with iOS support may ship a podspec; only npm pack writes package/.
    assert registry.claims(Artifact(path)) == {
        "npm": Strength.MARKER,
        "cocoapods": Strength.CONTAINER,
    }
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "npm"


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


def test_a_podspec_of_blank_lines_is_searched_in_one_pass(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    # The attribute pattern used to let its leading whitespace run across lines, trying
    # every line start against all the lines after it: hours for this file.
    spec = (
        "Pod::Spec.new do |s|\n" + "\n" * 400_000 + "  s.name = 'Blank'\n  s.version = '1.0'\nend\n"
    )
    path = make_tar(tmp_path / "blank.tar.gz", {"Blank.podspec": spec})
    info = registry.get("cocoapods").read_metadata(Artifact(path))
    assert (info.name, info.version) == ("Blank", "1.0")
