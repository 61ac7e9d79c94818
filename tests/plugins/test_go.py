from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import GoPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_tar, make_zip, truncated_copy
from tests.support.lookalikes import LOOKALIKES, lookalike

PREFIX = "example.com/m@v1.0.0/"


@pytest.fixture
def module(fixtures_dir: Path) -> Path:
    return fixtures_dir / "go" / "greet-v1.3.0.zip"


def test_fixture_is_detected_as_go(registry: FormatRegistry, module: Path) -> None:
    assert registry.detect(Artifact(module)).PLUGIN_NAME == "go"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_claims_only_go_lookalikes(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("go").recognise(lookalike(tmp_path, kind)) is (kind == "go")


def test_module_path_keeps_its_capitals(registry: FormatRegistry, module: Path) -> None:
    plan = plan_package(registry, module)
    assert (plan.format, plan.name, plan.version) == ("go", "example.com/Acme/greet", "v1.3.0")


def test_major_version_suffix_and_pseudo_version(registry: FormatRegistry, tmp_path: Path) -> None:
    prefix = "example.com/m/v2@v2.0.0-20240102030405-abcdefabcdef/"
    path = make_zip(
        tmp_path / "m.zip",
        {prefix + "go.mod": 'module "example.com/m/v2" // quoted is legal\n', prefix + "m.go": ""},
    )
    info = registry.get("go").read_metadata(Artifact(path))
    assert (info.name, info.version) == ("example.com/m/v2", "v2.0.0-20240102030405-abcdefabcdef")


def test_payload_is_accepted_by_the_official_binding(
    registry: FormatRegistry, module: Path
) -> None:
    payload = plan_package(registry, module).preview_payload()
    assert GoPackageUploadRequest(**payload).package_file == "<upload:greet-v1.3.0.zip>"
    assert set(payload) == {"package_file"}


def test_go_takes_no_options(registry: FormatRegistry, module: Path) -> None:
    with pytest.raises(OptionError, match="option 'version'"):
        plan_package(registry, module, options={"version": "v9.0.0"})


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({PREFIX + "m.go": ""}, "has no <module>@<version>/go.mod"),
        ({PREFIX + "go.mod": "module example.com/m\n", "stray.txt": ""}, "stray.txt lies outside"),
        (
            {"example.com/m@v1/go.mod": "module example.com/m\n"},
            "'v1' as its version, which is not semver",
        ),
        ({PREFIX + "go.mod": "go 1.21\n"}, "go.mod inside has no module directive"),
        (
            {PREFIX + "go.mod": "module example.com/other\n"},
            "declares module example.com/other, but the zip is laid out for example.com/m",
        ),
    ],
)
def test_broken_module_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str], problem: str
) -> None:
    path = make_zip(tmp_path / "broken.zip", members)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "go")
    assert caught.value.path == path


def test_tarball_is_not_a_go_module(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_tar(tmp_path / "m.tar.gz", {PREFIX + "go.mod": "module example.com/m\n"})
    assert not registry.get("go").recognise(Artifact(path))
    with pytest.raises(ArtifactError, match="not a zip archive"):
        registry.inspect(path, "go")


def test_truncated_zip_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, module: Path
) -> None:
    broken = truncated_copy(module, tmp_path / module.name)
    with pytest.raises(ArtifactError, match="corrupt or truncated"):
        registry.inspect(broken, "go")
