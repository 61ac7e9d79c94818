from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import TerraformPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, truncated_copy
from tests.support.lookalikes import LOOKALIKES, lookalike


@pytest.fixture
def module(fixtures_dir: Path) -> Path:
    return fixtures_dir / "terraform" / "terraform-aws-acme-bucket-1.2.0.tar.gz"


def test_fixture_is_detected_as_terraform(registry: FormatRegistry, module: Path) -> None:
    assert registry.detect(Artifact(module)).PLUGIN_NAME == "terraform"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_claims_only_terraform_lookalikes(
    registry: FormatRegistry, tmp_path: Path, kind: str
) -> None:
    assert registry.get("terraform").recognise(lookalike(tmp_path, kind)) is (kind == "terraform")


def test_helm_chart_with_tf_files_is_helm(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_tar(
        tmp_path / "chart.tgz", {"c/Chart.yaml": "name: c\nversion: 1.0.0\n", "c/infra.tf": ""}
    )
    assert not registry.get("terraform").recognise(Artifact(path))


def test_name_and_version_come_from_the_file_name(registry: FormatRegistry, module: Path) -> None:
    plan = plan_package(registry, module)
    assert (plan.format, plan.name, plan.version) == ("terraform", "acme-bucket", "1.2.0")


@pytest.mark.parametrize(
    ("filename", "name", "version"),
    [
        ("terraform-google-network-10.0.1.tgz", "network", "10.0.1"),
        ("terraform-aws-acme-2fa-v1.0.0-rc.1.tar.gz", "acme-2fa", "1.0.0-rc.1"),
        ("terraform-azurerm-vm_linux-0.1.0+build.7.tar.gz", "vm_linux", "0.1.0+build.7"),
    ],
)
def test_awkward_file_names_are_split_right(
    registry: FormatRegistry, tmp_path: Path, filename: str, name: str, version: str
) -> None:
    path = make_tar(tmp_path / filename, {"main.tf": ""})
    info = registry.get("terraform").read_metadata(Artifact(path))
    assert (info.name, info.version) == (name, version)


def test_module_in_a_top_folder_is_recognised(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_tar(tmp_path / "terraform-aws-x-1.0.0.tar.gz", {"x-1.0.0/main.tf": ""})
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "terraform"


def test_payload_is_accepted_by_the_official_binding(
    registry: FormatRegistry, module: Path
) -> None:
    payload = plan_package(registry, module, tags=["infra", "aws"]).preview_payload()
    request = TerraformPackageUploadRequest(**payload)
    assert request.package_file == "<upload:terraform-aws-acme-bucket-1.2.0.tar.gz>"
    assert request.tags == "infra,aws"


def test_terraform_takes_no_version_option(registry: FormatRegistry, module: Path) -> None:
    with pytest.raises(OptionError, match="option 'version'"):
        plan_package(registry, module, options={"version": "2.0.0"})


def test_badly_named_module_says_how_to_name_it(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_tar(tmp_path / "bucket.tar.gz", {"main.tf": ""})
    with pytest.raises(
        ArtifactError, match=r"rename it, e.g. terraform-aws-vpc-1.0.0.tar.gz"
    ) as caught:
        registry.inspect(path, "terraform")
    assert str(path) in str(caught.value)


def test_archive_without_tf_files_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_tar(tmp_path / "terraform-aws-x-1.0.0.tar.gz", {"README.md": ""})
    with pytest.raises(ArtifactError, match="has no .tf files at its root"):
        registry.inspect(path, "terraform")


def test_truncated_module_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, module: Path
) -> None:
    broken = truncated_copy(module, tmp_path / module.name)
    with pytest.raises(ArtifactError, match="corrupt or truncated"):
        registry.inspect(broken, "terraform")
