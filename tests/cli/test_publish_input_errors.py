"""Bad input found before anything is sent: one line, exit code 2, no traceback."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.support.cli import invoke

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WHEEL = FIXTURES / "python" / "acme_greeting-1.2.0-py3-none-any.whl"


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


def test_unknown_format_prefix_is_part_of_the_path() -> None:
    code, _, err = run(f"pypi:{WHEEL}", "--repo", "acme/r")
    assert code == 2
    assert_one_line(err, f"error: pypi:{WHEEL}: no such file")
