"""The repository's paths and the fixture catalogue, for the tests.

``fixtures/catalog.py`` is a script as well as a module (``scripts/demo.sh`` runs it) and
lives in no package, so it is loaded here from its file, once, under a name of its own.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

__all__ = ["FIXTURES", "ROOT", "Fixture", "fixture", "load_catalog", "publish_arguments"]

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"

_NAME = "pubsmith_fixture_catalog"


def _load() -> object:
    if _NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(_NAME, FIXTURES / "catalog.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[_NAME] = module  # before running it: its dataclasses look themselves up
        spec.loader.exec_module(module)
    return sys.modules[_NAME]


_catalog = _load()
Fixture = _catalog.Fixture  # type: ignore[attr-defined]
load_catalog = _catalog.load_catalog  # type: ignore[attr-defined]
publish_arguments = _catalog.publish_arguments  # type: ignore[attr-defined]


def fixture(filename: str) -> Fixture:
    """The catalogued fixture whose file is named ``filename``."""
    return next(item for item in load_catalog() if item.path.name == filename)
