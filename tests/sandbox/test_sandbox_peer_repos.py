"""The official ``cloudsmith-cli`` manages a repository on the sandbox as its own live tests
do on Cloudsmith: create, get, list, update; push a small file and a multipart one into
it; list with ``--sort`` and ``-q``; status; delete a package; delete the repository."""

from __future__ import annotations

import json
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.http_clients import http_client
from tests.support.tools import peer_cli, peer_env

KEY = "peer-key"
OWNER = "acme"

pytestmark = [
    pytest.mark.peer,
    pytest.mark.slow,
    pytest.mark.cloudsmith_sandbox(api_key=KEY, sync_seconds=0.2),
]


class Cli:
    """Runs the peer CLI against one sandbox, as a user would in a shell."""

    def __init__(self, sandbox: SandboxFixture, home: Path) -> None:
        self._cli = peer_cli()
        self._url = sandbox.url
        self._home = home

    def __call__(
        self, *arguments: str, answer: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        command = [self._cli, *arguments, "--api-host", self._url, "-k", KEY]
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=120,
            env=peer_env(self._home),
            cwd=self._home,
            input=answer,
        )

    def ok(self, *arguments: str, answer: str | None = None) -> str:
        result = self(*arguments, answer=answer)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{' '.join(arguments)}: {output}"
        return output

    def packages(self, repo: str, *options: str) -> list[dict[str, Any]]:
        result = self("list", "pkgs", repo, "-F", "json", *options)
        assert result.returncode == 0, result.stdout + result.stderr
        data: list[dict[str, Any]] = json.loads(result.stdout)["data"]
        return data


def _table(output: str) -> dict[str, str]:
    """The one row of a ``cloudsmith repos`` table, by column (as the CLI's tests read it)."""
    lines = [line for line in output.splitlines() if "|" in line]
    assert len(lines) == 2, output
    header, row = ([cell.strip() for cell in line.split("|")] for line in lines)
    return dict(zip(header, row, strict=True))


def test_the_official_cli_manages_a_repository_and_its_packages(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    name = f"cli-test-{uuid.uuid4()}"  # as the CLI's tests name their repositories
    slug = name
    repo = f"{OWNER}/{slug}"
    small = {"aaa.txt": b"test content", "zzz.txt": b"test content"}
    for filename, content in small.items():
        (tmp_path / filename).write_bytes(content)
    big = tmp_path / "big.bin"
    with big.open("wb") as sparse:
        sparse.truncate(101 * 1024 * 1024)  # over the CLI's 100 MiB part size: multipart
    with http_client(base_url=sandbox.url, headers={"X-Api-Key": KEY}) as api:
        cli = Cli(sandbox, tmp_path)

        def repo_config(filename: str, description: str) -> str:
            path = tmp_path / filename
            fields = {"name": name, "slug": slug, "repository_type_str": "Private"}
            path.write_text(json.dumps({**fields, "description": description}))
            return str(path)

        created = cli.ok("repos", "create", OWNER, repo_config("create.json", "first"))
        assert f"Creating {name} repository for the {OWNER} namespace ...OK" in created
        assert "Results: 1 repository visible" in created
        row = _table(created)
        assert (row["Owner / Repository (Identifier)"], row["Type"]) == (repo, "Private")

        got = cli.ok("repos", "get", repo)
        assert "Getting list of repositories ... OK" in got
        assert _table(got)["Owner / Repository (Identifier)"] == repo
        everything = cli.ok("list", "repos", OWNER, "--page-size", "-1")
        assert "Results: 2 repositories retrieved" in everything
        assert repo in everything

        updated = cli.ok("repos", "update", repo, repo_config("update.json", "second"))
        assert f"Updating {slug} repository in the {OWNER} namespace ...OK" in updated
        assert api.get(f"/repos/{repo}/").json()["description"] == "second"
        again = cli("repos", "create", OWNER, str(tmp_path / "create.json"))
        assert again.returncode != 0
        assert "already exists" in again.stdout + again.stderr

        assert cli.packages(repo) == []
        for path in (tmp_path / "aaa.txt", tmp_path / "zzz.txt", big):
            pushed = cli.ok("push", "raw", repo, str(path), "--wait-interval", "0.1")
            assert "Package synchronised successfully" in pushed, pushed

        orders = {
            "name": ["aaa.txt", "big.bin", "zzz.txt"],
            "-name": ["zzz.txt", "big.bin", "aaa.txt"],
            "-date": ["big.bin", "zzz.txt", "aaa.txt"],
            "size": ["aaa.txt", "zzz.txt", "big.bin"],
        }
        with ThreadPoolExecutor(max_workers=4) as pool:
            listed = dict(
                zip(
                    orders,
                    pool.map(lambda sort: cli.packages(repo, "--sort", sort), orders),
                    strict=True,
                )
            )
            queried = pool.submit(cli.packages, repo, "-q", "filename:^aaa").result()
        for sort, filenames in orders.items():
            assert [item["filename"] for item in listed[sort]] == filenames, sort
        [aaa] = queried
        assert aaa["filename"] == "aaa.txt"

        target = f"{repo}/{aaa['slug']}"
        status = cli.ok("status", target)
        assert "The package status is: Completed / Fully Synchronised" in status
        cli.ok("delete", "-y", target)
        gone = cli("status", target)
        assert gone.returncode != 0
        assert "404 - Not Found" in gone.stdout + gone.stderr
        assert [item["filename"] for item in cli.packages(repo)] == ["big.bin", "zzz.txt"]

        kept = cli.ok("repos", "delete", repo, answer="N\n")
        assert "OK, phew! Close call. :-)" in kept
        assert api.get(f"/repos/{repo}/").status_code == 200
        deleted = cli.ok("repos", "delete", repo, answer="Y\n")
        assert f"Deleting {slug} from the {OWNER} namespace ... OK" in deleted
        for arguments in (("repos", "get", repo), ("list", "pkgs", repo)):
            missing = cli(*arguments)
            assert missing.returncode != 0, arguments
            assert "404 - Not Found" in missing.stdout + missing.stderr, arguments
        state = sandbox.state()

    assert repo not in state["packages"]
    assert state["credentials_seen"] == [], "the CLI sends no credentials to presigned URLs"
    requests = state["requests"]
    for operation in (
        "repos_create",
        "repos_read",
        "repos_namespace_list",
        "repos_partial_update",
        "repos_delete",
        "packages_list",
        "packages_status",
        "packages_delete",
        "files_complete",
    ):
        assert requests.get(operation), operation
    assert requests["sandbox_upload_part"] == 2
