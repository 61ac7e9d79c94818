"""The README's "Guarantees" section names only tests that exist, and names each suite."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def guarantees() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Guarantees\n", 1)[1]
    return section.split("\n## ", 1)[0]


def test_every_test_the_guarantees_name_exists() -> None:
    references = _REFERENCE.findall(guarantees())
    assert len(references) >= 15
    for path, name in references:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert name in defined, f"README names {path}::{name}, which does not exist"


def test_each_suite_backs_a_guarantee() -> None:
    named = {path for path, _ in _REFERENCE.findall(guarantees())}
    suites = {f"tests/reliability/{p.name}" for p in (ROOT / "tests/reliability").glob("test_*.py")}
    assert suites - named == {"tests/reliability/test_guarantees.py"}
