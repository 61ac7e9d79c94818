"""``pubsmith list``: finding packages by query in a real sandbox, page by page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from pubsmith import publish
from pubsmith.client import CloudsmithClient
from pubsmith.packages import find_packages
from pubsmith.settings import Repository
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import invoke

KEY = "list-key"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WHEEL = FIXTURES / "python" / "acme_greeting-1.2.0-py3-none-any.whl"
SDIST = FIXTURES / "python" / "acme_greeting-1.2.0.tar.gz"


# On a manual clock: the packages listed are processed when the test says, at once.
pytestmark = pytest.mark.cloudsmith_sandbox(repos=["acme/staging"], api_key=KEY, clock="manual")


@pytest.fixture
def stocked(sandbox: SandboxFixture, tmp_path: Path) -> SandboxFixture:
    """The sandbox with five processed packages in acme/staging: wheel, sdist, three notes."""
    notes = []
    for version in ("1.0", "1.1", "2.0"):
        path = tmp_path / f"notes-{version}.txt"
        path.write_text(f"notes {version}")
        notes.append(f"raw:{path}")
    results = publish(
        [WHEEL, SDIST, *notes],
        repo="acme/staging",
        options={"raw.version": "1.0"},
        api_url=sandbox.url,
        api_key=KEY,
        resume=False,
        wait=False,
    )
    assert {result.status for result in results} == {"published"}, results
    sandbox.clock.advance(1)
    return sandbox


def environment(sandbox: SandboxFixture) -> dict[str, str | None]:
    return {"CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": KEY}


def run(sandbox: SandboxFixture, *args: str) -> Result:
    return invoke("list", *args, env=environment(sandbox))


def test_list_finds_packages_by_query_and_names_each_as_the_package_commands_take_it(
    stocked: SandboxFixture,
) -> None:
    result = run(stocked, "acme/staging", "name:acme-greeting", "version:1.2.0", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert sorted(item["filename"] for item in found) == sorted([WHEEL.name, SDIST.name])
    for item in found:
        assert item["package"] == f"acme/staging/{item['slug_perm']}"
        assert item["status"] == "Completed" and item["format"] == "python"
    status = invoke("status", found[0]["package"], env=environment(stocked))
    assert status.exit_code == 0, status.output  # what list prints, status takes


def test_list_filters_by_format_and_says_how_many_it_found(stocked: SandboxFixture) -> None:
    result = run(stocked, "acme/staging", "--format", "raw")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all("[raw notes-" in line for line in lines)
    assert result.stderr.strip() == "3 packages in acme/staging matching 'format:raw'"
    narrowed = run(stocked, "acme/staging", "notes-2", "--format", "raw", "--json")
    assert [item["name"] for item in json.loads(narrowed.stdout)] == ["notes-2.0.txt"]


def test_list_reads_every_page_and_stops_at_the_limit(stocked: SandboxFixture) -> None:
    before = stocked.state()["requests"].get("packages_list", 0)
    with CloudsmithClient(stocked.url, KEY) as client:
        every = list(find_packages(client, Repository("acme", "staging"), page_size=2))
        assert len(every) == 5
        assert stocked.state()["requests"]["packages_list"] - before == 3
        assert len(list(find_packages(client, Repository("acme", "staging"), "", limit=1))) == 1
    limited = run(stocked, "acme/staging", "--limit", "2", "--json")
    assert len(json.loads(limited.stdout)) == 2


def test_a_query_the_api_refuses_is_one_line(sandbox: SandboxFixture) -> None:
    result = run(sandbox, "acme/staging", "colour:red")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("error: the API cannot read the query 'colour:red': Unknown search")


def test_an_unknown_repository_is_exit_code_4(sandbox: SandboxFixture) -> None:
    result = run(sandbox, "acme/nosuch")
    assert result.exit_code == 4
    assert result.stderr.startswith("error: list packages in acme/nosuch failed (HTTP 404)")
