"""The README's marked examples, run in order against a sandbox, as a reader would run them.

A code block preceded by ``<!-- readme-test -->`` is run (``sh`` with bash, ``python`` with
this interpreter); ``<!-- readme-test file=NAME -->`` writes the block to NAME first. All
blocks share one working directory whose ``dist/`` holds the real acme-greeting wheel and
sdist, and one sandbox serving acme/staging and acme/production.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.tools import PYTHON_FIXTURES, ROOT

README = ROOT / "README.md"
KEY = "readme-key"
_BLOCK = re.compile(
    r"<!-- readme-test(?: file=(?P<file>\S+))? -->\n```(?P<lang>\w+)\n(?P<code>.*?)\n```", re.S
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.cloudsmith_sandbox(repos=["acme/staging", "acme/production"], api_key=KEY),
]


@dataclass(frozen=True)
class Example:
    line: int
    lang: str
    code: str
    file: str | None


def examples() -> list[Example]:
    text = README.read_text()
    return [
        Example(text[: match.start()].count("\n") + 1, match["lang"], match["code"], match["file"])
        for match in _BLOCK.finditer(text)
    ]


def test_the_readme_marks_examples_of_each_kind() -> None:
    found = examples()
    assert {example.lang for example in found} >= {"sh", "python", "toml"}
    assert any("pubsmith promote" in example.code for example in found)
    assert any("cloudsmith_sandbox" in example.code for example in found)


@pytest.mark.slow
def test_readme_examples_run(sandbox: SandboxFixture, tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "dist").mkdir(parents=True)
    for artifact in PYTHON_FIXTURES.glob("acme_greeting-1.2.0*"):
        shutil.copy(artifact, work / "dist" / artifact.name)
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "CLOUDSMITH_API_HOST": sandbox.url,
        "CLOUDSMITH_API_KEY": KEY,
    }
    for example in examples():
        where = f"README.md line {example.line}"
        if example.file:
            (work / example.file).write_text(example.code + "\n")
            continue
        if example.lang == "sh":
            command = ["bash", "-euo", "pipefail", "-c", example.code]
        elif example.lang == "python":
            command = [sys.executable, "-c", example.code]
        else:
            pytest.fail(f"{where}: cannot run a {example.lang} block; mark it file=NAME")
        done = subprocess.run(
            command, cwd=work, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, f"{where} failed:\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, f"{where}:\n{done.stderr}"
        assert KEY not in done.stdout + done.stderr, where
    requests = sandbox.state()["requests"]
    assert requests["packages_copy"] == 2  # promote, then publish --promote-to
    assert requests["packages_delete"] == 1
