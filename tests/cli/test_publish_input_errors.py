"""Bad input found before anything is sent: one line, exit code 2, no traceback."""

from __future__ import annotations

import os
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.support.cli import invoke, pubsmith

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WHEEL = FIXTURES / "python" / "acme_greeting-1.2.0-py3-none-any.whl"
NPM = FIXTURES / "npm" / "acme-greeting-2.1.0.tgz"


def run(*args: str) -> tuple[int, str, str]:
    # No server exists at this address: any request would fail with exit 5, not 2.
    env = {"CLOUDSMITH_API_HOST": "http://127.0.0.1:9", "CLOUDSMITH_API_KEY": "k"}
    result = invoke("publish", *args, env=env)
    return result.exit_code, result.stdout, result.stderr


def assert_one_line(stderr: str, *fragments: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_file(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "nope.whl"), "--repo", "acme/r")
    assert code == 2
    assert_one_line(err, "nope.whl", "no such file")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path), "--repo", "acme/r")
    assert code == 2
    assert_one_line(err, "is a directory")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.whl"
    empty.touch()
    code, _, err = run(str(empty), "--repo", "acme/r")
    assert code == 2
    assert_one_line(err, "empty.whl", "is empty")


def test_unrecognised_file_suggests_a_format(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    code, _, err = run(str(notes), "--repo", "acme/r")
    assert code == 2
    assert_one_line(err, "notes.txt", "raw:")


def test_unknown_format(tmp_path: Path) -> None:
    code, _, err = run(str(WHEEL), "--repo", "acme/r", "--format", "pypi")
    assert code == 2
    assert_one_line(err, "unknown format 'pypi'")


def test_zip_that_is_not_a_wheel(tmp_path: Path) -> None:
    fake = tmp_path / "fake-1.0-py3-none-any.whl"
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("README", "not a wheel")
    code, _, err = run(str(fake), "--repo", "acme/r")
    assert code == 2
    assert_one_line(err, "fake-1.0-py3-none-any.whl", "not a wheel")


def test_truncated_wheel(tmp_path: Path) -> None:
    cut = tmp_path / WHEEL.name
    cut.write_bytes(WHEEL.read_bytes()[:300])
    code, _, err = run(str(cut), "--repo", "acme/r", "--format", "python")
    assert code == 2
    assert_one_line(err, WHEEL.name)


@pytest.mark.parametrize("repo", ["acme", "acme/r/x", "/r"])
def test_malformed_repo(repo: str) -> None:
    code, _, err = run(str(WHEEL), "--repo", repo)
    assert code == 2
    assert_one_line(err, "--repo must be OWNER/REPO")


def test_missing_repo() -> None:
    code, _, err = run(str(WHEEL))
    assert code == 2
    assert_one_line(err, "--repo OWNER/REPO")


def test_option_no_format_takes() -> None:
    code, _, err = run(str(WHEEL), "--repo", "acme/r", "-o", "colour=red")
    assert code == 2
    assert_one_line(err, "no format here takes option 'colour'")


def test_malformed_option() -> None:
    code, _, err = run(str(WHEEL), "--repo", "acme/r", "-o", "colour")
    assert code == 2
    assert "expected KEY=VALUE" in err


def test_every_bad_file_is_reported_and_nothing_is_sent(tmp_path: Path) -> None:
    code, _, err = run(
        str(WHEEL), str(tmp_path / "a.whl"), str(tmp_path / "b.whl"), "--repo", "acme/r"
    )
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert "a.whl" in lines[0]
    assert "b.whl" in lines[1]


def test_plain_http_to_a_remote_host_is_refused() -> None:
    result = invoke(
        "publish",
        str(WHEEL),
        "--repo",
        "acme/r",
        "--api-url",
        "http://example.com",
        "--api-key",
        "k",
    )
    assert result.exit_code == 2
    assert_one_line(result.stderr, "plain HTTP", "--allow-http")


def test_missing_key() -> None:
    result = invoke("publish", str(WHEEL), "--repo", "acme/r", env={"CLOUDSMITH_API_KEY": ""})
    assert result.exit_code == 2
    assert_one_line(result.stderr, "no API key")


def test_dry_run_shows_the_payload_without_a_repo() -> None:
    result = invoke("publish", "--dry-run", str(WHEEL))
    assert result.exit_code == 0, result.stderr
    assert "python acme-greeting 1.2.0" in result.stderr
    assert '"package_file": "<upload:acme_greeting-1.2.0-py3-none-any.whl>"' in result.stderr


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("pubsmith ")


def test_missing_file_with_a_format_names_the_path(tmp_path: Path) -> None:
    code, _, err = run(f"raw:{tmp_path / 'nope.txt'}", "--repo", "acme/r")
    assert code == 2
    assert_one_line(err, f"error: {tmp_path / 'nope.txt'}: no such file")


def test_unknown_format_prefix_is_part_of_the_path(tmp_path: Path) -> None:
    code, _, err = run(f"pypi:{tmp_path}/missing.whl", "--repo", "acme/r")
    assert code == 2
    assert_one_line(err, f"error: pypi:{tmp_path}/missing.whl: no such file")


def test_a_mistyped_format_prefix_is_named_as_an_unknown_format() -> None:
    code, _, err = run(f"pythn:{WHEEL}", "--repo", "acme/r")
    assert code == 2
    assert_one_line(err, f"error: pythn:{WHEEL}: unknown format 'pythn' (did you mean python?)")


def test_a_link_to_nothing_inside_a_tarball(tmp_path: Path) -> None:
    # Used to be "KeyError: \"linkname 'package/missing.json' not found\"; it may be corrupt".
    path = tmp_path / "linked-1.0.0.tgz"
    with tarfile.open(path, "w:gz") as archive:
        link = tarfile.TarInfo("package/package.json")
        link.type, link.linkname = tarfile.SYMTYPE, "missing.json"
        archive.addfile(link)
    for argument in (str(path), f"npm:{path}"):
        code, _, err = run(argument, "--repo", "acme/r")
        assert code == 2
        assert_one_line(
            err,
            "package/package.json inside is a link to missing.json, which is not in the archive",
            "rebuild it",
        )
        assert "KeyError" not in err


def _without_root_privileges() -> list[str]:
    """A prefix that makes root subject to file permissions, as everyone else is."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv, permissions cannot be shown")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


@pytest.mark.e2e
@pytest.mark.parametrize("prefix", ["", "npm:"])
def test_files_that_may_not_be_read(tmp_path: Path, prefix: str) -> None:
    # Used to be "cannot be read as a package (PermissionError: [Errno 13] ...); it may be
    # corrupt" for a file in a folder that may not be searched.
    closed = tmp_path / "closed"
    closed.mkdir()
    shutil.copy(NPM, closed / NPM.name)
    closed.chmod(0o600)
    locked = tmp_path / NPM.name
    shutil.copy(NPM, locked)
    locked.chmod(0)
    env = {"CLOUDSMITH_API_HOST": "http://127.0.0.1:9", "CLOUDSMITH_API_KEY": "k"}
    command = ["publish", "--dry-run", "--repo", "acme/r"]
    try:
        for path, fragment in [
            (closed / NPM.name, "cannot be reached (Permission denied); check the permissions"),
            # Without a prefix the command line's own check speaks first.
            (locked, "cannot be read (Permission denied)" if prefix else "is not readable"),
        ]:
            done = pubsmith(*command, f"{prefix}{path}", env=env, prefix=_without_root_privileges())
            assert done.returncode == 2, done.stderr
            assert_one_line(done.stderr, path.name, fragment)
            assert "PermissionError" not in done.stderr
            assert "may be corrupt" not in done.stderr
    finally:
        closed.chmod(0o700)
