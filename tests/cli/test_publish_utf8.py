"""Text that is not UTF-8 is refused at planning: exit 2, one line, nothing sent.

A shell hands a program bytes; Python holds the undecodable ones as lone surrogates, which
httpx cannot encode. Each case runs the real ``pubsmith`` with byte arguments, as a shell
would pass ``$'1\\xff'``, against a sandbox that must see no request at all.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from pubsmith.client import CloudsmithClient
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import pubsmith_bytes

pytestmark = pytest.mark.e2e


def publish(
    sandbox: SandboxFixture, *args: str | bytes, cwd: Path
) -> subprocess.CompletedProcess[bytes]:
    env = {"CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": sandbox.api_key}
    return pubsmith_bytes("publish", *args, env=env, cwd=cwd)


def refused(completed: subprocess.CompletedProcess[bytes], sandbox: SandboxFixture) -> str:
    """The one error line, after checking exit 2, no traceback and nothing sent."""
    stderr = completed.stderr.decode("utf-8")  # strict: pubsmith itself writes only UTF-8
    assert completed.returncode == 2, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert sandbox.state()["requests"] == {}
    return lines[0]


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("notes\n")
    return path


def test_a_file_name_that_is_not_utf8(sandbox: SandboxFixture, tmp_path: Path) -> None:
    name = b"caf\xe9.txt"  # Latin-1, as an old archive or another system left it
    (tmp_path / os.fsdecode(name)).write_text("latin\n")
    completed = publish(
        sandbox,
        b"raw:" + name,
        "-o",
        "version=1",
        "--repo",
        sandbox.repo_slug,
        "--json",
        cwd=tmp_path,
    )
    line = refused(completed, sandbox)
    assert "caf\\xe9.txt" in line and "not valid UTF-8" in line
    assert completed.stdout == b""


def test_an_option_value_that_is_not_utf8(sandbox: SandboxFixture, notes: Path) -> None:
    completed = publish(
        sandbox,
        f"raw:{notes}",
        b"-o",
        b"raw.version=1\xff",
        "--repo",
        sandbox.repo_slug,
        cwd=notes.parent,
    )
    line = refused(completed, sandbox)
    assert "version '1\\xff' is not valid UTF-8" in line


def test_tags_that_are_not_utf8(sandbox: SandboxFixture, notes: Path) -> None:
    completed = publish(
        sandbox,
        f"raw:{notes}",
        "-o",
        "version=1",
        "--tags",
        b"ok,a\xff",
        "--repo",
        sandbox.repo_slug,
        cwd=notes.parent,
    )
    line = refused(completed, sandbox)
    assert "tags 'ok,a\\xff' is not valid UTF-8" in line


def test_a_repository_name_that_is_not_utf8(sandbox: SandboxFixture, notes: Path) -> None:
    completed = publish(
        sandbox,
        f"raw:{notes}",
        "-o",
        "version=1",
        "--repo",
        b"acme/sandb\xf6x",
        cwd=notes.parent,
    )
    line = refused(completed, sandbox)
    assert "--repo" in line and "sandb\\xf6x" in line


def test_one_bad_name_among_good_files_stops_the_whole_call(
    sandbox: SandboxFixture, notes: Path, tmp_path: Path
) -> None:
    bad = tmp_path / os.fsdecode(b"r\xe9sum\xe9.txt")
    bad.write_text("cv\n")
    completed = publish(
        sandbox,
        f"raw:{notes}",
        b"raw:" + os.fsencode(bad),
        "-o",
        "version=1",
        "--repo",
        sandbox.repo_slug,
        cwd=tmp_path,
    )
    line = refused(completed, sandbox)
    assert "r\\xe9sum\\xe9.txt" in line


def test_a_utf8_name_in_a_directory_that_is_not_utf8_publishes(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    # Only the file's own name is sent; the directory it sits in never is.
    folder = tmp_path / os.fsdecode(b"build-\xff")
    folder.mkdir()
    (folder / "notes.txt").write_text("fine\n")
    completed = publish(
        sandbox,
        b"raw:" + os.fsencode(folder / "notes.txt"),
        "-o",
        "version=1",
        "--repo",
        sandbox.repo_slug,
        "--no-wait",
        "--json",
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    [result] = json.loads(completed.stdout)
    assert result["status"] == "published"
    assert "build-" not in json.dumps(result["payload"])
    with CloudsmithClient(sandbox.url, sandbox.api_key) as client:
        [package] = client.list_packages(sandbox.owner, sandbox.repo)
    assert package["filename"] == "notes.txt"
