"""The fixture catalogue as one call sees it; test_conformance checks each fixture with the kit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.catalog import load_catalog, publish_arguments
from tests.support.cli import pubsmith

CATALOG = load_catalog()


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
