"""The FormatPlugin docstring's example plugin, installed by pip as a distribution of its own.

The example lives in ``docs/example-plugin`` (linted and type-checked with the rest) and the
docstring is checked against it. A fresh venv sees pubsmith and its dependencies through a
``.pth`` that adds this interpreter's site-packages as a site directory, and pip installs the
example into it as a user installs a third-party plugin. Variants of the installed module,
broken the ways a plugin author breaks one, each give one line naming the plugin and its
distribution, exit code 2, no traceback, for every command.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import sysconfig
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pubsmith import FormatPlugin
from pubsmith.testing import make_zip
from tests.support.catalog import ROOT

EXAMPLE = ROOT / "docs" / "example-plugin"
SOURCE = (EXAMPLE / "pubsmith_widget.py").read_text()
LINE = (
    "format plugin 'widget' (pubsmith-widget 1.0)",
    "upgrade or uninstall pubsmith-widget",
)


@dataclass(frozen=True)
class Venv:
    python: Path
    module: Path
    home: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "PYTHONDONTWRITEBYTECODE": "1",
            "CLOUDSMITH_API_HOST": "http://127.0.0.1:9",  # nothing listens: nothing is sent
        }
        return subprocess.run(
            [str(self.python), "-m", "pubsmith", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=120,
        )


def docstring_example() -> str:
    """The code block of FormatPlugin's docstring that follows its first ``::``."""
    doc = inspect.getdoc(FormatPlugin) or ""
    block = doc.split("::\n", 1)[1].split("\nand in the plugin's", 1)[0]
    return textwrap.dedent(block).strip("\n") + "\n"


def test_the_docstring_shows_the_example_plugin_as_it_is() -> None:
    assert docstring_example() == SOURCE
    pyproject = (EXAMPLE / "pyproject.toml").read_text()
    assert '[project.entry-points."pubsmith.formats"]\nwidget = "pubsmith_widget"' in pyproject
    doc = inspect.getdoc(FormatPlugin) or ""
    assert '    [project.entry-points."pubsmith.formats"]\n    widget = "pubsmith_widget"' in doc


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Venv]:
    root = tmp_path_factory.mktemp("example-plugin")
    directory = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(directory)], check=True)
    python = directory / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # pubsmith (editable) and its dependencies, as this interpreter sees them.
    outer = sysconfig.get_paths()["purelib"]
    (Path(purelib) / "pubsmith_parent.pth").write_text(f"import site; site.addsitedir({outer!r})\n")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"),
            *("--no-deps", "--disable-pip-version-check", str(EXAMPLE)),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    module = Path(purelib) / "pubsmith_widget.py"
    assert module.read_text() == SOURCE
    home = root / "home"
    home.mkdir()
    yield Venv(python, module, home)
    module.write_text(SOURCE)


@pytest.fixture
def variant(venv: Venv) -> Iterator[Venv]:
    """The installed example, to be rewritten by the test; restored afterwards."""
    yield venv
    venv.module.write_text(SOURCE)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return make_zip(
        tmp_path / "demo-1.0.zip",
        {
            "widget.json": '{"name": "demo", "version": "1.0"}',
            # Any PHP project's file: composer claims it too, but less strongly.
            "composer.json": '{"name": "acme/demo"}',
        },
    )


def broken(old: str, new: str) -> str:
    assert old in SOURCE, f"the example no longer has {old!r}: update this variant"
    return SOURCE.replace(old, new, 1)


def assert_one_line_exit_2(completed: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith("error: ")
    for fragment in (*LINE, *fragments):
        assert fragment in lines[0], lines[0]


@pytest.mark.e2e
@pytest.mark.slow
def test_the_installed_example_is_listed_and_publishes_a_dry_run(venv: Venv, bundle: Path) -> None:
    listing = venv.run("formats")
    assert listing.returncode == 0, listing.stderr
    assert (
        "widget       Widget bundles (.zip holding widget.json)  [from pubsmith-widget 1.0]"
        in listing.stdout.splitlines()
    )
    assert "    -o distribution=...  (str, required) Target, such as widgets/v2" in listing.stdout
    completed = venv.run(
        "publish", "--dry-run", "--json", str(bundle), "-o", "distribution=widgets/v2"
    )
    assert completed.returncode == 0, completed.stderr
    [result] = json.loads(completed.stdout)
    assert (result["format"], result["name"], result["version"], result["status"]) == (
        "widget",
        "demo",
        "1.0",
        "planned",
    )
    assert result["payload"] == {
        "package_file": "<upload:demo-1.0.zip>",
        "distribution": "widgets/v2",
        "version": "1.0",
    }


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.parametrize(
    ("source", "fragments"),
    [
        pytest.param(
            broken("import json\n", "import json\n\nimport not_a_module_anywhere\n"),
            ["cannot be imported (No module named 'not_a_module_anywhere')"],
            id="import",
        ),
        pytest.param(
            broken("def pubsmith_register_format()", "def pubsmith_register_formats()"),
            ["implements pubsmith_register_formats, which pubsmith does not know"],
            id="hook-name",
        ),
        pytest.param(
            broken("def pubsmith_register_format()", "def pubsmith_register_format(registry)"),
            ["its pubsmith_register_format takes registry, which the hook does not pass"],
            id="hook-signature",
        ),
        pytest.param(
            broken("@hookimpl\n", ""),
            ["its pubsmith_register_format is not marked with @pubsmith.hookimpl"],
            id="no-hookimpl",
        ),
    ],
)
def test_a_plugin_broken_at_load_is_one_line_for_every_command(
    variant: Venv, bundle: Path, source: str, fragments: list[str]
) -> None:
    variant.module.write_text(source)
    assert_one_line_exit_2(variant.run("formats"), *fragments)
    dry_run = variant.run("publish", "--dry-run", str(bundle), "-o", "distribution=widgets/v2")
    assert_one_line_exit_2(dry_run, *fragments)


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.parametrize(
    ("source", "fragments"),
    [
        pytest.param(
            broken(
                "        # widget.json is written",
                "        1 / 0\n        # widget.json is written",
            ),
            ["failed in recognise (division by zero)", "FORMAT:FILE"],
            id="recognise",
        ),
        pytest.param(
            broken('fields={"version": version}', 'fields={"version": version.split("+")[1]}'),
            ["failed in read_metadata (list index out of range)"],
            id="read_metadata",
        ),
        pytest.param(
            broken("icon = artifact.path", "icon = artifact.no_such_attribute"),
            ["failed in find_companions ('Artifact' object has no attribute"],
            id="find_companions",
        ),
    ],
)
def test_a_plugin_broken_in_a_method_is_one_line_naming_it(
    variant: Venv, bundle: Path, source: str, fragments: list[str]
) -> None:
    variant.module.write_text(source)
    listing = variant.run("formats")
    assert listing.returncode == 0, listing.stderr  # it loads; it breaks only when used
    dry_run = variant.run("publish", "--dry-run", str(bundle), "-o", "distribution=widgets/v2")
    assert_one_line_exit_2(dry_run, str(bundle), *fragments)
