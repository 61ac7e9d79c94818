from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import CranPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, make_zip, truncated_copy
from tests.support.lookalikes import LOOKALIKES, lookalike

MAC_BUILT = "R 4.3.1; aarch64-apple-darwin20; 2023-07-01 10:00:00 UTC; unix"


def binary(path: Path, built: str, *, zipped: bool = False) -> Path:
    members = {
        "rpkg/DESCRIPTION": f"Package: rpkg\nVersion: 1.0-2\nBuilt: {built}\n",
        "rpkg/NAMESPACE": "export(f)\n",
        "rpkg/R/rpkg.rdb": b"\x00",
    }
    return make_zip(path, members) if zipped else make_tar(path, members)


@pytest.fixture
def source(fixtures_dir: Path) -> Path:
    return fixtures_dir / "cran" / "acmestats_0.2.0.tar.gz"


def test_fixture_is_detected_as_cran(registry: FormatRegistry, source: Path) -> None:
    assert registry.detect(Artifact(source)).PLUGIN_NAME == "cran"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_claims_only_cran_lookalikes(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("cran").recognise(lookalike(tmp_path, kind)) is (kind == "cran")


def test_source_package_sends_no_binary_fields(registry: FormatRegistry, source: Path) -> None:
    plan = plan_package(registry, source)
    assert (plan.format, plan.name, plan.version) == ("cran", "acmestats", "0.2.0")
    payload = plan.preview_payload()
    assert payload == {"package_file": "<upload:acmestats_0.2.0.tar.gz>"}
    assert CranPackageUploadRequest(**payload).r_version is None


def test_macos_binary_carries_r_version_and_architecture(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = binary(tmp_path / "rpkg_1.0-2.tgz", MAC_BUILT)
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "cran"
    request = CranPackageUploadRequest(**plan_package(registry, path).preview_payload())
    assert (request.r_version, request.architecture) == ("4.3", "arm64")


@pytest.mark.parametrize(
    ("built", "zipped"),
    [
        ("R 4.2.2; x86_64-w64-mingw32; 2023-01-01 00:00:00 UTC; windows", True),
        ("R 4.2.2; ; 2023-01-01 00:00:00 UTC; unix", False),  # pure R: no platform
    ],
)
def test_other_binaries_carry_only_r_version(
    registry: FormatRegistry, tmp_path: Path, built: str, zipped: bool
) -> None:
    path = binary(
        tmp_path / ("rpkg_1.0-2.zip" if zipped else "rpkg_1.0-2_R.tar.gz"), built, zipped=zipped
    )
    payload = plan_package(registry, path).preview_payload()
    assert payload["r_version"] == "4.2"
    assert "architecture" not in payload
    CranPackageUploadRequest(**payload)


def test_options_override_what_built_says(registry: FormatRegistry, tmp_path: Path) -> None:
    path = binary(tmp_path / "rpkg_1.0-2.tgz", MAC_BUILT)
    options = {"r_version": "4.3.1", "architecture": "x86_64"}
    payload = plan_package(registry, path, options=options).preview_payload()
    assert (payload["r_version"], payload["architecture"]) == ("4.3.1", "x86_64")


def test_empty_option_is_refused(registry: FormatRegistry, source: Path) -> None:
    with pytest.raises(OptionError, match="r_version must not be empty"):
        plan_package(registry, source, options={"r_version": ""})


def test_latin1_description_is_read(registry: FormatRegistry, tmp_path: Path) -> None:
    description = "Package: caf\nVersion: 0.1\nAuthor: Zo\xe9 M\xfcller\nEncoding: latin1\n"
    path = make_tar(
        tmp_path / "caf_0.1.tar.gz",
        {"caf/DESCRIPTION": description.encode("latin-1"), "caf/NAMESPACE": ""},
    )
    info = registry.get("cran").read_metadata(Artifact(path))
    assert (info.name, info.version) == ("caf", "0.1")


@pytest.mark.parametrize(
    ("description", "problem"),
    [
        ("  starts with a continuation\n", "line 1 continues no field"),
        ("Package: x\nnot a field line\n", "line 2 is not 'Field: value'"),
        ("Package: x\nTitle: T\n", "rpkg/DESCRIPTION inside has no Version"),
        ("Title: T\n", "has no Package or Version"),
    ],
)
def test_broken_description_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, description: str, problem: str
) -> None:
    path = make_tar(
        tmp_path / "rpkg.tar.gz", {"rpkg/DESCRIPTION": description, "rpkg/NAMESPACE": ""}
    )
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "cran")
    assert caught.value.path == path


def test_archive_without_description_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_tar(tmp_path / "rpkg.tar.gz", {"rpkg/R/f.R": "f <- 1\n"})
    with pytest.raises(ArtifactError, match="has no <pkg>/DESCRIPTION"):
        registry.inspect(path, "cran")


def test_truncated_package_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, source: Path
) -> None:
    broken = truncated_copy(source, tmp_path / source.name)
    assert not registry.get("cran").recognise(Artifact(broken))
    with pytest.raises(ArtifactError, match="corrupt or truncated"):
        registry.inspect(broken, "cran")
