from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cloudsmith_api.models import HelmPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, truncated_copy
from tests.support.lookalikes import LOOKALIKES, lookalike


@pytest.fixture
def chart(fixtures_dir: Path) -> Path:
    return fixtures_dir / "helm" / "acme-web-0.3.1.tgz"


def test_fixture_is_detected_as_helm(registry: FormatRegistry, chart: Path) -> None:
    assert registry.detect(Artifact(chart)).PLUGIN_NAME == "helm"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_claims_only_helm_lookalikes(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("helm").recognise(lookalike(tmp_path, kind)) is (kind == "helm")


def test_subchart_chart_yaml_alone_is_not_a_chart(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_tar(tmp_path / "deep.tgz", {"repo/charts/sub/Chart.yaml": "name: sub\n"})
    assert not registry.get("helm").recognise(Artifact(path))


def test_name_and_version_come_from_chart_yaml(registry: FormatRegistry, chart: Path) -> None:
    plan = plan_package(registry, chart)
    # appVersion (1.16.0) belongs to the application, not the chart.
    assert (plan.format, plan.name, plan.version) == ("helm", "acme-web", "0.3.1")


def test_provenance_beside_the_chart_is_its_companion(
    registry: FormatRegistry, chart: Path
) -> None:
    plan = plan_package(registry, chart)
    assert plan.values["provenance_file"] == chart.with_name("acme-web-0.3.1.tgz.prov")
    request = HelmPackageUploadRequest(**plan.preview_payload())
    assert request.package_file == "<upload:acme-web-0.3.1.tgz>"
    assert request.provenance_file == "<upload:acme-web-0.3.1.tgz.prov>"


def test_chart_without_provenance_sends_none(
    registry: FormatRegistry, tmp_path: Path, chart: Path
) -> None:
    alone = Path(shutil.copy(chart, tmp_path / chart.name))
    payload = plan_package(registry, alone).preview_payload()
    assert "provenance_file" not in payload
    assert HelmPackageUploadRequest(**payload).provenance_file is None


def test_provenance_option_overrides_the_found_one(
    registry: FormatRegistry, tmp_path: Path, chart: Path
) -> None:
    other = tmp_path / "signed-elsewhere.prov"
    other.write_text("-----BEGIN PGP SIGNED MESSAGE-----\n")
    plan = plan_package(registry, chart, options={"provenance_file": str(other)})
    assert plan.values["provenance_file"] == other
    assert plan.preview_payload()["provenance_file"] == "<upload:signed-elsewhere.prov>"


def test_missing_provenance_file_is_an_option_error(
    registry: FormatRegistry, tmp_path: Path, chart: Path
) -> None:
    with pytest.raises(OptionError, match="provenance_file") as caught:
        plan_package(registry, chart, options={"provenance_file": str(tmp_path / "nope.prov")})
    assert caught.value.key == "provenance_file"


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({"acme/values.yaml": "a: 1\n"}, "has no <chart>/Chart.yaml"),
        ({"acme/Chart.yaml": "name: [unclosed\n"}, "acme/Chart.yaml inside is not valid YAML"),
        ({"acme/Chart.yaml": "- just\n- a list\n"}, "is not a YAML mapping"),
        (
            {"acme/Chart.yaml": "name: acme\nappVersion: 1.0.0\n"},
            "Chart.yaml inside has no version",
        ),
    ],
)
def test_broken_chart_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str], problem: str
) -> None:
    path = make_tar(tmp_path / "broken.tgz", members)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "helm")
    assert caught.value.path == path


def test_truncated_chart_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, chart: Path
) -> None:
    broken = truncated_copy(chart, tmp_path / "cut.tgz")
    assert not registry.get("helm").recognise(Artifact(broken))
    with pytest.raises(ArtifactError, match="corrupt or truncated"):
        registry.inspect(broken, "helm")
