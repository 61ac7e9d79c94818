"""Every builtin format passes pubsmith.testing, the kit third-party plugins are checked with.

Each fixture of the catalogue is a sample: detected as its format with every installed plugin
taking part, read with its name and version, turned into a payload the format's
``cloudsmith-api`` model accepts, and damaged copies of it refused. No format takes another
format's look-alike.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pubsmith.registry import FormatRegistry
from pubsmith.testing import (
    Sample,
    check_damage_refused,
    check_detected,
    check_lookalikes_refused,
    check_metadata,
    check_payload,
)
from tests.support.catalog import ROOT, Fixture, load_catalog

CATALOG = load_catalog()
PLUGINS = ROOT / "plugins" / "pubsmith_formats"


def _sample(fixture: Fixture) -> Sample:
    return Sample(
        fixture.format,
        fixture.path,
        fixture.name,
        fixture.version,
        options=fixture.options,
        detect=fixture.detect,
        damageable=fixture.damageable,
    )


SAMPLES = [pytest.param(_sample(fixture), id=fixture.id) for fixture in CATALOG]


def test_every_installed_format_has_a_sample(registry: FormatRegistry) -> None:
    assert sorted({fixture.format for fixture in CATALOG}) == registry.names()


@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_is_detected_as_its_format(sample: Sample, registry: FormatRegistry) -> None:
    assert sample.path.is_file(), f"{sample.path} is missing: run fixtures/build.sh {sample.format}"
    check_detected(sample, registry=registry)


@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_is_read_with_its_name_and_version(sample: Sample, registry: FormatRegistry) -> None:
    check_metadata(sample, registry=registry)


@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_payload_is_valid_for_the_official_model(
    sample: Sample, registry: FormatRegistry
) -> None:
    payload = check_payload(sample, registry=registry)
    assert payload["package_file"] == f"<upload:{sample.path.name}>"


@pytest.mark.parametrize("sample", SAMPLES)
def test_damaged_copies_of_the_sample_are_refused(
    sample: Sample, registry: FormatRegistry, tmp_path: Path
) -> None:
    check_damage_refused(sample, tmp_path, registry=registry)


@pytest.mark.parametrize("format_name", FormatRegistry.load().names())
def test_no_format_takes_another_formats_lookalike(
    format_name: str, registry: FormatRegistry, tmp_path: Path
) -> None:
    check_lookalikes_refused(format_name, tmp_path, registry=registry)


@pytest.mark.parametrize("module", sorted(PLUGINS.glob("[!_]*.py")), ids=lambda module: module.stem)
def test_no_builtin_imports_another(module: Path) -> None:
    # Each plugin owns its markers; only the private helper modules are shared.
    imported = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    builtins = {name for name in imported if name.startswith("pubsmith_formats")}
    assert all(name.startswith("pubsmith_formats._") for name in builtins), builtins
