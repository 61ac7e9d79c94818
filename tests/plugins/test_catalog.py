"""Every fixture of every format: detected, named and versioned, payload accepted by the bindings."""

from __future__ import annotations

import json
from pathlib import Path

import cloudsmith_api
import pytest

from pubsmith.artifact import Artifact
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.catalog import Fixture, load_catalog, publish_arguments
from tests.support.cli import pubsmith

CATALOG = load_catalog()


def _model_class(format_name: str) -> type:
    wanted = f"{format_name}packageuploadrequest"
    for name in dir(cloudsmith_api.models):
        if name.lower() == wanted:
            cls: type = getattr(cloudsmith_api.models, name)
            return cls
    raise AssertionError(f"cloudsmith_api has no upload request model for {format_name}")


def test_catalog_covers_every_installed_format(registry: FormatRegistry) -> None:
    assert sorted({fixture.format for fixture in CATALOG}) == registry.names()


@pytest.mark.parametrize("fixture", CATALOG, ids=lambda fixture: fixture.id)
def test_fixture_exists_and_is_detected_as_its_format(
    fixture: Fixture, registry: FormatRegistry
) -> None:
    assert fixture.path.is_file(), (
        f"{fixture.path} is missing: run fixtures/{fixture.format}/build.sh"
    )
    if fixture.detect:
        assert fixture.format == registry.detect(Artifact(fixture.path)).PLUGIN_NAME


@pytest.mark.parametrize("fixture", CATALOG, ids=lambda fixture: fixture.id)
def test_fixture_plans_with_its_name_version_and_an_accepted_payload(
    fixture: Fixture, registry: FormatRegistry
) -> None:
    plan = plan_package(registry, fixture.path, format_name=fixture.format, options=fixture.options)
    assert (plan.format, plan.name, plan.version) == (fixture.format, fixture.name, fixture.version)
    payload = plan.preview_payload()
    model = _model_class(fixture.format)(**payload)
    assert model.package_file == f"<upload:{fixture.path.name}>"


@pytest.mark.e2e
def test_dry_run_json_of_every_fixture_in_one_call_contacts_no_server(tmp_path: Path) -> None:
    # No server answers at this address: a dry run must not need one.
    env = {"CLOUDSMITH_API_HOST": "http://127.0.0.1:9", "HOME": str(tmp_path)}
    arguments = publish_arguments(CATALOG)
    assert "--format" not in arguments  # undetectable fixtures carry theirs as FORMAT:PATH
    completed = pubsmith("publish", "--dry-run", "--json", *arguments, env=env)
    assert completed.returncode == 0, completed.stderr
    results = json.loads(completed.stdout)
    got = {(r["file"], r["format"], r["name"], r["version"], r["status"]) for r in results}
    want = {(str(f.path), f.format, f.name, f.version, "planned") for f in CATALOG}
    assert got == want
