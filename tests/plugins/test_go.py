from __future__ import annotations

from pathlib import Path

import pytest

from pubsmith import Artifact, ArtifactError, OptionError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_tar, make_zip

PREFIX = "example.com/m@v1.0.0/"


@pytest.fixture
def module(fixtures_dir: Path) -> Path:
    return fixtures_dir / "go" / "greet-v1.3.0.zip"


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
    assert registry.get("go").recognise(Artifact(path)) is Strength.NONE
    with pytest.raises(ArtifactError, match="not a zip archive"):
        registry.inspect(path, "go")


def test_a_go_mod_of_blank_lines_is_searched_in_one_pass(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    # The module directive's leading \s* used to run across lines: hours for this file.
    go_mod = "\n" * 400_000 + "module example.com/blank\n"
    path = make_zip(tmp_path / "blank.zip", {"example.com/blank@v1.0.0/go.mod": go_mod})
    plan = plan_package(registry, path)
    assert (plan.name, plan.version) == ("example.com/blank", "v1.0.0")
