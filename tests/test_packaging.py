"""What the two distributions built from this repository carry, read from the built wheels."""

from __future__ import annotations

import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _build_wheel(source: Path, out: Path) -> zipfile.ZipFile:
    # No build isolation: hatchling comes from the dev group, so this needs no network.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = out.glob("*.whl")
    return zipfile.ZipFile(wheel)


def _entry_points(wheel: zipfile.ZipFile) -> configparser.ConfigParser:
    [name] = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep names' case
    parser.read_string(wheel.read(name).decode())
    return parser


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, zipfile.ZipFile]:
    out = tmp_path_factory.mktemp("wheels")
    return {
        "pubsmith": _build_wheel(ROOT, out / "pubsmith"),
        "sandbox": _build_wheel(ROOT / "sandbox", out / "sandbox"),
    }


def test_the_pubsmith_wheel_carries_no_server_code_and_no_pytest_plugin(
    wheels: dict[str, zipfile.ZipFile],
) -> None:
    wheel = wheels["pubsmith"]
    packages = {name.split("/")[0] for name in wheel.namelist()}
    assert {"pubsmith", "pubsmith_formats"} <= packages
    assert not any(
        name.startswith(("pubsmith_sandbox/", "pubsmith/sandbox")) for name in wheel.namelist()
    )
    assert "pytest11" not in _entry_points(wheel).sections()


def test_the_sandbox_wheel_carries_the_server_its_command_and_the_fixture(
    wheels: dict[str, zipfile.ZipFile],
) -> None:
    wheel = wheels["sandbox"]
    assert {name.split("/")[0] for name in wheel.namelist() if "dist-info" not in name} == {
        "pubsmith_sandbox"
    }
    entry_points = _entry_points(wheel)
    assert dict(entry_points["pytest11"]) == {"pubsmith_sandbox": "pubsmith_sandbox.pytest_plugin"}
    assert dict(entry_points["console_scripts"]) == {
        "pubsmith-sandbox": "pubsmith_sandbox.cli:main"
    }
    [metadata] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = [
        line
        for line in wheel.read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]
    assert any("pubsmith>=" in line for line in requires)
    assert any("cloudsmith-api" in line for line in requires)


@pytest.mark.parametrize("name", ["pubsmith", "sandbox"])
def test_both_wheels_carry_the_license(wheels: dict[str, zipfile.ZipFile], name: str) -> None:
    licenses = [n for n in wheels[name].namelist() if n.endswith("dist-info/licenses/LICENSE")]
    assert licenses
    assert b"MIT License" in wheels[name].read(licenses[0])


def test_the_two_distributions_are_released_together() -> None:
    from pubsmith import __version__ as core
    from pubsmith_sandbox._version import __version__ as sandbox

    assert core == sandbox
