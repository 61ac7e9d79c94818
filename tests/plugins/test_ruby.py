from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from cloudsmith_api.models import RubyPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, truncated_copy
from tests.support.lookalikes import FORMAT_OF, LOOKALIKES, ZIP_LOOKALIKES, lookalike, zip_lookalike

SPEC = """--- !ruby/object:Gem::Specification
name: widget
version: !ruby/object:Gem::Version
  version: 1.10
platform: x86_64-linux
date: 2023-11-14 00:00:00.000000000 Z
required_ruby_version: !ruby/object:Gem::Requirement
  requirements:
  - - ">="
    - !ruby/object:Gem::Version
      version: '2.7'
"""


def gem(path: Path, metadata: bytes, *, compress: bool = False) -> Path:
    members = {"metadata.gz": metadata, "data.tar.gz": b"", "checksums.yaml.gz": b""}
    return make_tar(path, members, compression="gz" if compress else None)


@pytest.fixture
def package(fixtures_dir: Path) -> Path:
    return fixtures_dir / "ruby" / "acme-greeting-0.3.0.gem"


def test_fixture_is_detected_as_ruby(registry: FormatRegistry, package: Path) -> None:
    assert registry.detect(Artifact(package)).PLUGIN_NAME == "ruby"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_other_formats_are_not_ruby(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("ruby").recognise(lookalike(tmp_path, kind)) is False


@pytest.mark.parametrize("kind", sorted(ZIP_LOOKALIKES))
def test_zip_lookalikes_are_ruby_only_if_theirs(
    registry: FormatRegistry, tmp_path: Path, kind: str
) -> None:
    artifact = zip_lookalike(tmp_path, kind)
    assert registry.get("ruby").recognise(artifact) is (FORMAT_OF[kind] == "ruby")


def test_gzipped_tar_with_gem_members_is_not_a_gem(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = gem(tmp_path / "w.tgz", gzip.compress(SPEC.encode()), compress=True)
    assert registry.get("ruby").recognise(Artifact(path)) is False


def test_name_and_version_come_from_the_gemspec(registry: FormatRegistry, package: Path) -> None:
    plan = plan_package(registry, package)
    assert (plan.format, plan.name, plan.version) == ("ruby", "acme-greeting", "0.3.0")


def test_ruby_tags_are_read_and_versions_stay_strings(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = gem(tmp_path / "widget-1.10-x86_64-linux.gem", gzip.compress(SPEC.encode()))
    _, _, info = registry.inspect(path)
    assert (info.name, info.version) == ("widget", "1.10")


def test_payload_is_accepted_by_the_official_binding(
    registry: FormatRegistry, package: Path
) -> None:
    payload = plan_package(registry, package, tags=["a", "b"], republish=True).preview_payload()
    request = RubyPackageUploadRequest(**payload)
    assert request.package_file == "<upload:acme-greeting-0.3.0.gem>"
    assert (request.tags, request.republish) == ("a,b", True)


def test_ruby_takes_no_options(registry: FormatRegistry, package: Path) -> None:
    with pytest.raises(OptionError, match="option 'version'") as caught:
        plan_package(registry, package, options={"version": "1"})
    assert caught.value.key == "version"


@pytest.mark.parametrize(
    ("metadata", "problem"),
    [
        (b"not gzip", "metadata.gz inside is not valid gzip"),
        (gzip.compress(b"name: [widget\nversion: 1"), "metadata.gz inside is not a valid gemspec"),
        (gzip.compress(b"- just\n- a list\n"), "is not a gemspec mapping"),
        (gzip.compress(b"name: widget\n"), "metadata.gz inside has no version"),
        (gzip.compress(b"version: !ruby/object:Gem::Version\n  version: 1.0\n"), "has no name"),
    ],
)
def test_broken_gemspec_is_refused(
    registry: FormatRegistry, tmp_path: Path, metadata: bytes, problem: str
) -> None:
    path = gem(tmp_path / "broken.gem", metadata)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path)
    assert caught.value.path == path


def test_truncated_gem_is_refused(registry: FormatRegistry, tmp_path: Path, package: Path) -> None:
    path = truncated_copy(package, tmp_path / package.name, keep=0.3)
    with pytest.raises(ArtifactError) as caught:
        registry.inspect(path, "ruby")
    assert caught.value.path == path


def test_non_gem_under_format_ruby_is_refused(registry: FormatRegistry, tmp_path: Path) -> None:
    path = lookalike(tmp_path, "plain-zip").path
    with pytest.raises(ArtifactError, match="is not a gem"):
        registry.inspect(path, "ruby")
