from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pubsmith import Artifact, ArtifactError, OptionError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_tar, make_zip

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
    return make_tar(path, members, compress=compress)


@pytest.fixture
def package(fixtures_dir: Path) -> Path:
    return fixtures_dir / "ruby" / "acme-greeting-0.3.0.gem"


def test_gzipped_tar_with_gem_members_is_not_a_gem(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = gem(tmp_path / "w.tgz", gzip.compress(SPEC.encode()), compress=True)
    assert registry.get("ruby").recognise(Artifact(path)) is Strength.NONE


def test_name_and_version_come_from_the_gemspec(registry: FormatRegistry, package: Path) -> None:
    plan = plan_package(registry, package)
    assert (plan.format, plan.name, plan.version) == ("ruby", "acme-greeting", "0.3.0")


def test_ruby_tags_are_read_and_versions_stay_strings(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = gem(tmp_path / "widget-1.10-x86_64-linux.gem", gzip.compress(SPEC.encode()))
    _, _, info = registry.inspect(path)
    assert (info.name, info.version) == ("widget", "1.10")


def test_ruby_takes_no_options(registry: FormatRegistry, package: Path) -> None:
    with pytest.raises(OptionError, match="option 'version'") as caught:
        plan_package(registry, package, options={"version": "1"})
    assert caught.value.key == "version"


@pytest.mark.parametrize(
    ("metadata", "problem"),
    [
        (b"not gzip", "metadata.gz inside is not valid gzip"),
        (
            gzip.compress(b"name: [widget\nversion: 1", mtime=0),
            "metadata.gz inside is not a valid gemspec",
        ),
        (gzip.compress(b"- just\n- a list\n", mtime=0), "is not a gemspec mapping"),
        (gzip.compress(b"name: widget\n", mtime=0), "metadata.gz inside has no version"),
        (
            gzip.compress(b"version: !ruby/object:Gem::Version\n  version: 1.0\n", mtime=0),
            "has no name",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_broken_gemspec_is_refused(
    registry: FormatRegistry, tmp_path: Path, metadata: bytes, problem: str
) -> None:
    path = gem(tmp_path / "broken.gem", metadata)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path)
    assert caught.value.path == path


def test_non_gem_under_format_ruby_is_refused(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_zip(tmp_path / "plain.zip", {"readme.txt": "hello\n"})
    with pytest.raises(ArtifactError, match="is not a gem"):
        registry.inspect(path, "ruby")
