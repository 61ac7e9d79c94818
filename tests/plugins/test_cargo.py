from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import CargoPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, truncated_copy
from tests.support.lookalikes import LOOKALIKES, lookalike

MANIFEST = '[package]\nname = "old"\nversion = "0.1.0"\n'


@pytest.fixture
def crate(fixtures_dir: Path) -> Path:
    return fixtures_dir / "cargo" / "acme-tally-0.5.0.crate"


def test_fixture_is_detected_as_cargo(registry: FormatRegistry, crate: Path) -> None:
    assert registry.detect(Artifact(crate)).PLUGIN_NAME == "cargo"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_claims_only_cargo_lookalikes(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("cargo").recognise(lookalike(tmp_path, kind)) is (kind == "cargo")


def test_crate_without_the_orig_marker_is_known_by_its_name(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    members = {"old-0.1.0/Cargo.toml": MANIFEST}
    assert registry.get("cargo").recognise(
        Artifact(make_tar(tmp_path / "old-0.1.0.crate", members))
    )
    # The same layout under another name is any Rust project's source tarball.
    assert not registry.get("cargo").recognise(Artifact(make_tar(tmp_path / "old.tar.gz", members)))


def test_name_and_version_come_from_cargo_toml(registry: FormatRegistry, crate: Path) -> None:
    plan = plan_package(registry, crate)
    assert (plan.format, plan.name, plan.version) == ("cargo", "acme-tally", "0.5.0")


def test_payload_is_accepted_by_the_official_binding(registry: FormatRegistry, crate: Path) -> None:
    payload = plan_package(registry, crate).preview_payload()
    assert CargoPackageUploadRequest(**payload).package_file == "<upload:acme-tally-0.5.0.crate>"
    assert set(payload) == {"package_file"}


def test_cargo_takes_no_options(registry: FormatRegistry, crate: Path) -> None:
    with pytest.raises(OptionError, match="option 'npm_dist_tag'"):
        plan_package(registry, crate, options={"npm_dist_tag": "next"})


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({"x-1.0.0/src/lib.rs": ""}, "has no <name>-<version>/Cargo.toml"),
        (
            {"x-1.0.0/Cargo.toml": "[package\nname = 'x'"},
            "x-1.0.0/Cargo.toml inside is not valid TOML",
        ),
        ({"x-1.0.0/Cargo.toml": "[workspace]\n"}, r"has no \[package\] table"),
        (
            {"x-1.0.0/Cargo.toml": '[package]\nname = "x"\nversion.workspace = true\n'},
            "has no literal .package. name and version; build the crate with cargo package",
        ),
    ],
)
def test_broken_crate_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str], problem: str
) -> None:
    path = make_tar(tmp_path / "x-1.0.0.crate", members)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "cargo")
    assert caught.value.path == path


def test_truncated_crate_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, crate: Path
) -> None:
    broken = truncated_copy(crate, tmp_path / crate.name)
    assert not registry.get("cargo").recognise(Artifact(broken))
    with pytest.raises(ArtifactError, match="corrupt or truncated"):
        registry.inspect(broken, "cargo")
