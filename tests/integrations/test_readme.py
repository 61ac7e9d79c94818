"""The marked examples of the README and the docs it links, run in order against a sandbox,
as a reader would run them.

A code block preceded by ``<!-- readme-test -->`` is run (``sh`` with bash, ``python`` with
this interpreter); ``<!-- readme-test file=NAME -->`` writes the block to NAME first. All
blocks, the README's first, then each of :data:`DOCUMENTS` in turn, share one working
directory whose ``dist/`` holds the real acme-greeting wheel and sdist, and one sandbox
serving acme/staging and acme/production.
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
DOCUMENTS = (README, ROOT / "docs" / "usage.md", ROOT / "docs" / "plugins.md")
README_LIMIT = 12 * 1024
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
    document: str
    line: int
    lang: str
    code: str
    file: str | None


def examples(documents: tuple[Path, ...] = DOCUMENTS) -> list[Example]:
    found = []
    for document in documents:
        text = document.read_text()
        found += [
            Example(
                str(document.relative_to(ROOT)),
                text[: match.start()].count("\n") + 1,
                match["lang"],
                match["code"],
                match["file"],
            )
            for match in _BLOCK.finditer(text)
        ]
    return found


def test_the_readme_marks_examples_of_each_kind() -> None:
    assert {example.lang for example in examples((README,))} >= {"sh", "python", "toml"}
    found = examples()
    assert any("pubsmith promote" in example.code for example in found)
    assert any("cloudsmith_sandbox" in example.code for example in found)
    assert any("pubsmith list" in example.code for example in examples((README,)))


def test_the_readme_is_short_and_opens_with_the_two_repository_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < README_LIMIT
    first_block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in first_block.splitlines()] == [
        "make demo",
        "make test",
    ]
    makefile = (ROOT / "Makefile").read_text()
    assert "\ndemo:" in makefile and "\ntest:" in makefile


def test_the_readme_table_lists_every_builtin_format_and_what_it_needs() -> None:
    from pubsmith.registry import FormatRegistry

    table = README.read_text().split("## Formats", 1)[1].split("\n## ", 1)[0]
    rows = {
        line.split("|")[1].strip(): line.split("|")[3]
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith("| format") and "---" not in line
    }
    registrations = FormatRegistry.load().registrations()
    assert set(rows) == {registration.name for registration in registrations}
    for registration in registrations:
        for option in registration.plugin.options:
            if option.required and not option.name.endswith("_file"):
                shown = "--distribution" if option.name == "distribution" else option.name
                assert shown in rows[registration.name], (registration.name, option.name)
                assert (option.name + "`\\*" in rows[registration.name]) == option.read_from_file


def test_every_relative_link_in_the_readme_and_docs_resolves() -> None:
    for document in (*DOCUMENTS, ROOT / "docs" / "guarantees.md", ROOT / "docs" / "performance.md"):
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", document.read_text()):
            assert (document.parent / target).exists(), f"{document.name} links {target}"


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
        where = f"{example.document} line {example.line}"
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
