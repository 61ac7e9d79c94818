"""``pubsmith list``: finding packages by query in a real sandbox, page by page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pubsmith import publish
from pubsmith.cli import cli
from pubsmith.client import CloudsmithClient
from pubsmith.packages import find_packages
from pubsmith.settings import Repository
from pubsmith_sandbox import SandboxConfig, running_sandbox
from pubsmith_sandbox.runner import Sandbox

KEY = "list-key"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WHEEL = FIXTURES / "python" / "acme_greeting-1.2.0-py3-none-any.whl"
SDIST = FIXTURES / "python" / "acme_greeting-1.2.0.tar.gz"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    data = tmp_path_factory.mktemp("list")
    config = SandboxConfig(
        data_dir=data / "sb", repos=("acme/staging",), api_key=KEY, sync_seconds=0.05
    )
    with running_sandbox(config) as running:
        notes = []
        for version in ("1.0", "1.1", "2.0"):
            path = data / f"notes-{version}.txt"
            path.write_text(f"notes {version}")
            notes.append(f"raw:{path}")
        results = publish(
            [WHEEL, SDIST, *notes],
            repo="acme/staging",
            options={"raw.version": "1.0"},
            api_url=running.url,
            api_key=KEY,
            resume=False,
        )
        assert {result.status for result in results} == {"published"}, results
        yield running


def run(sandbox: Sandbox, *args: str) -> Result:
    env = {"CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": KEY}
    return CliRunner().invoke(cli, ["list", *args], env=env)


def test_list_finds_packages_by_query_and_names_each_as_the_package_commands_take_it(
    sandbox: Sandbox,
) -> None:
    result = run(sandbox, "acme/staging", "name:acme-greeting", "version:1.2.0", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert sorted(item["filename"] for item in found) == sorted([WHEEL.name, SDIST.name])
    for item in found:
        assert item["package"] == f"acme/staging/{item['slug_perm']}"
        assert item["status"] == "Completed" and item["format"] == "python"
    status = CliRunner().invoke(
        cli,
        ["status", found[0]["package"]],
        env={"CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": KEY},
    )
    assert status.exit_code == 0, status.output  # what list prints, status takes


def test_list_filters_by_format_and_says_how_many_it_found(sandbox: Sandbox) -> None:
    result = run(sandbox, "acme/staging", "--format", "raw")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all("[raw notes-" in line for line in lines)
    assert result.stderr.strip() == "3 packages in acme/staging matching 'format:raw'"
    narrowed = run(sandbox, "acme/staging", "notes-2", "--format", "raw", "--json")
    assert [item["name"] for item in json.loads(narrowed.stdout)] == ["notes-2.0.txt"]


def test_list_reads_every_page_and_stops_at_the_limit(sandbox: Sandbox) -> None:
    before = sandbox.state()["requests"].get("packages_list", 0)
    with CloudsmithClient(sandbox.url, KEY) as client:
        every = list(find_packages(client, Repository("acme", "staging"), page_size=2))
        assert len(every) == 5
        assert sandbox.state()["requests"]["packages_list"] - before == 3
        assert len(list(find_packages(client, Repository("acme", "staging"), "", limit=1))) == 1
    limited = run(sandbox, "acme/staging", "--limit", "2", "--json")
    assert len(json.loads(limited.stdout)) == 2


def test_a_query_the_api_refuses_is_one_line(sandbox: Sandbox) -> None:
    result = run(sandbox, "acme/staging", "colour:red")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("error: the API cannot read the query 'colour:red': Unknown search")


def test_an_unknown_repository_is_exit_code_4(sandbox: Sandbox) -> None:
    result = run(sandbox, "acme/nosuch")
    assert result.exit_code == 4
    assert result.stderr.startswith("error: list packages in acme/nosuch failed (HTTP 404)")
