"""docs/guarantees.md names only tests that exist, and names each suite."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def guarantees() -> str:
    return (ROOT / "docs" / "guarantees.md").read_text(encoding="utf-8")


def test_the_readme_links_the_guarantees() -> None:
    assert "(docs/guarantees.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_test_the_guarantees_name_exists() -> None:
    references = _REFERENCE.findall(guarantees())
    assert len(references) >= 15
    for path, name in references:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert name in defined, f"docs/guarantees.md names {path}::{name}, which does not exist"


def test_each_suite_backs_a_guarantee() -> None:
    named = {path for path, _ in _REFERENCE.findall(guarantees())}
    suites = {f"tests/reliability/{p.name}" for p in (ROOT / "tests/reliability").glob("test_*.py")}
    assert suites - named == {"tests/reliability/test_guarantees.py"}
