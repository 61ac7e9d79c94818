from __future__ import annotations

from pathlib import Path

import pytest

from pubsmith import Artifact, ArtifactError, OptionError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_tar

MANIFEST = '[package]\nname = "old"\nversion = "0.1.0"\n'


@pytest.fixture
def crate(fixtures_dir: Path) -> Path:
    return fixtures_dir / "cargo" / "acme-tally-0.5.0.crate"


def test_crate_without_the_orig_marker_is_known_by_its_name(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    members = {"old-0.1.0/Cargo.toml": MANIFEST}
    old = Artifact(make_tar(tmp_path / "old-0.1.0.crate", members))
    assert registry.get("cargo").recognise(old) is Strength.CONTAINER
    assert registry.detect(old).PLUGIN_NAME == "cargo"
    # The same layout under another name is any Rust project's source tarball.
    assert (
        registry.get("cargo").recognise(Artifact(make_tar(tmp_path / "old.tar.gz", members)))
        is Strength.NONE
    )


def test_name_and_version_come_from_cargo_toml(registry: FormatRegistry, crate: Path) -> None:
    plan = plan_package(registry, crate)
    assert (plan.format, plan.name, plan.version) == ("cargo", "acme-tally", "0.5.0")


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


def test_a_manifest_nested_beyond_reason_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    manifest = f'[package]\nname = "deep"\nversion = "0.1.0"\nx = {nested}\n'
    path = make_tar(
        tmp_path / "deep-0.1.0.crate",
        {"deep-0.1.0/Cargo.toml": manifest, "deep-0.1.0/Cargo.toml.orig": manifest},
    )
    with pytest.raises(ArtifactError, match="Cargo.toml inside nests too deeply"):
        registry.inspect(path)
