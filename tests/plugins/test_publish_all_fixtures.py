"""Every fixture of every format, published to a sandbox, ends synchronised as itself."""

from __future__ import annotations

import json
import subprocess

import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.catalog import load_catalog, publish_arguments
from tests.support.cli import pubsmith
from tests.support.http_clients import http_get

KEY = "fixtures-key"
REPO = "acme/fixtures"

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"CLOUDSMITH_API_HOST": url, "CLOUDSMITH_API_KEY": KEY}
    return pubsmith("publish", "--repo", REPO, "--json", "-j", "8", *args, env=env)


@pytest.mark.cloudsmith_sandbox(repos=[REPO], api_key=KEY, sync_seconds=0.1)
def test_every_fixture_publishes_and_synchronises_with_its_name_and_version(
    sandbox: SandboxFixture,
) -> None:
    catalog = load_catalog()
    # One call: fixtures no format recognises by content are given as FORMAT:PATH.
    completed = run(sandbox.url, *publish_arguments(catalog))
    assert completed.returncode == 0, completed.stderr
    results = json.loads(completed.stdout)
    assert {result["status"] for result in results} == {"published"}
    assert sorted(result["file"] for result in results) == sorted(str(f.path) for f in catalog)
    response = http_get(
        f"{sandbox.url}/packages/{REPO}/", headers={"X-Api-Key": KEY}, params={"page_size": 500}
    )
    response.raise_for_status()
    stored = {(package["format"], package["filename"]): package for package in response.json()}
    assert len(stored) == len(catalog)
    for fixture in catalog:
        package = stored[(fixture.format, fixture.path.name)]
        assert package["is_sync_completed"] is True, (fixture.id, package["status_reason"])
        assert package["name"] == fixture.name, fixture.id
        assert package["version"] == fixture.version, fixture.id
