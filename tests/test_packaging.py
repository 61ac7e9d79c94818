"""What the two distributions built from this repository carry, read from the built wheels."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import HeaderParser
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


def _metadata(wheel: zipfile.ZipFile) -> Message:
    [name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return HeaderParser().parsestr(wheel.read(name).decode())


@pytest.mark.parametrize("name", ["pubsmith", "sandbox"])
def test_the_metadata_names_where_the_project_lives_and_which_pythons_it_runs_on(
    wheels: dict[str, zipfile.ZipFile], name: str
) -> None:
    metadata = _metadata(wheels[name])
    urls = dict(value.split(", ", 1) for value in metadata.get_all("Project-URL") or [])
    assert {"Homepage", "Source", "Issues"} <= set(urls)
    classifiers = metadata.get_all("Classifier") or []
    for version in ("3.10", "3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert metadata["Requires-Python"] == ">=3.10"
    assert metadata["License-Expression"] == "MIT"


def test_development_tools_are_no_extra_and_keyring_is_one(
    wheels: dict[str, zipfile.ZipFile],
) -> None:
    metadata = _metadata(wheels["pubsmith"])
    extras = set(metadata.get_all("Provides-Extra") or [])
    assert {"keyring", "sandbox", "testing"} == extras
    requires = metadata.get_all("Requires-Dist") or []
    assert not [
        line for line in requires if any(tool in line for tool in ("pytest", "mypy", "ruff"))
    ]
    assert any(line.startswith("rich") for line in requires)


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pubsmith sdist, built as a release would build it, then unpacked."""
    out = tmp_path_factory.mktemp("sdist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    [archive] = out.glob("pubsmith-*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter="data")
    [unpacked] = [path for path in out.iterdir() if path.is_dir()]
    return unpacked


def test_the_sdist_carries_the_license_and_all_its_tests_and_make_need(sdist: Path) -> None:
    assert "MIT License" in (sdist / "LICENSE").read_text()
    for needed in (
        "Makefile",
        "scripts/demo.sh",
        "docs/publish-result.schema.json",
        "sandbox/pyproject.toml",
        "sandbox/LICENSE",
        "tests/conftest.py",
        "fixtures/python/acme_greeting-1.2.0-py3-none-any.whl",
        "action.yml",
        "CHANGELOG.md",
        "CONTRIBUTING.md",
    ):
        assert (sdist / needed).exists(), needed
    makefile = (sdist / "Makefile").read_text()
    assert "scripts/demo.sh" in makefile and "./sandbox" in makefile


@pytest.mark.slow
def test_the_unpacked_sdist_passes_its_own_tests(sdist: Path) -> None:
    # The sdist's own code first on the path: the tests below import it, not this checkout.
    paths = os.pathsep.join(str(sdist / part) for part in ("core", "plugins", "sandbox"))
    # Not measured by make test's coverage: this is a copy of the code, in another place.
    unmeasured = {
        name: value for name, value in os.environ.items() if not name.startswith("COVERAGE_")
    }
    env = {**unmeasured, "PYTHONPATH": paths}
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import pubsmith, pubsmith_formats, pubsmith_sandbox as s; "
            "print(pubsmith.__file__, pubsmith_formats.__file__, s.__file__)",
        ],
        env=env,
        cwd=sdist,
        capture_output=True,
        text=True,
        check=True,
    )
    assert all(path.startswith(str(sdist)) for path in where.stdout.split()), where.stdout
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/core/test_planning.py",
            "tests/core/test_proxy.py",
            "tests/cli/test_output.py",
            "tests/cli/test_list.py",
            "tests/plugins/test_catalog.py",
            "tests/sandbox/test_sandbox_query.py",
            "tests/integrations/test_publish_output.py",
            "tests/reliability/test_guarantees.py",
            "tests/test_exported_members.py",
        ],
        env=env,
        cwd=sdist,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and " failed" not in done.stdout
