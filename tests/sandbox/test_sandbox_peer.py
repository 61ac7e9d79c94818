"""The official ``cloudsmith-cli``, unmodified, publishes to the sandbox and sees packages sync.

The CLI lives in its own virtualenv (its pins clash with ours): ``make peer`` builds it and
``make test`` sets ``PUBSMITH_PEER_CLI`` to its ``cloudsmith`` executable.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.tools import peer_cli, peer_env

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
KEY = "peer-key"

pytestmark = [
    pytest.mark.peer,
    pytest.mark.slow,
    pytest.mark.cloudsmith_sandbox(api_key=KEY, sync_seconds=0.2),
]


def _wheel(tmp_path: Path) -> Path:
    committed = FIXTURES / "python" / "acme_greeting-1.2.0-py3-none-any.whl"
    if committed.is_file():
        return committed
    project = tmp_path / "project"
    (project / "acme_greeting").mkdir(parents=True)
    (project / "acme_greeting" / "__init__.py").write_text("")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "acme-greeting"\nversion = "1.2.0"\n'
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(project),
        ],
        check=True,
        capture_output=True,
    )
    return next((tmp_path / "dist").glob("*.whl"))


def _deb(tmp_path: Path) -> Path:
    committed = FIXTURES / "deb" / "acme-hello_1.0.0-1_all.deb"
    if committed.is_file():
        return committed
    if shutil.which("dpkg-deb") is None:
        pytest.fail("no deb fixture and no dpkg-deb to build one: install dpkg")
    root = tmp_path / "debroot"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        "Package: acme-hello\nVersion: 1.0.0-1\nArchitecture: all\n"
        "Maintainer: Acme <acme@example.invalid>\nDescription: tiny test package\n"
    )
    built = tmp_path / "acme-hello_1.0.0-1_all.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "--build", str(root), str(built)],
        check=True,
        capture_output=True,
    )
    return built


def test_the_official_cli_publishes_python_raw_and_deb_and_sees_them_sync(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    cli = peer_cli()
    notes = tmp_path / "release-notes.txt"
    notes.write_text("Release notes for the peer test.\n")
    large = tmp_path / "disk-image.bin"
    with large.open("wb") as sparse:
        sparse.truncate(101 * 1024 * 1024)  # over the CLI's 100 MiB part size: multipart
    pushes = {
        "python": ["python", "acme/sandbox", str(_wheel(tmp_path))],
        "raw": ["raw", "acme/sandbox", str(notes), "--version", "2.0.1"],
        "deb": ["deb", "acme/sandbox/debian/bookworm", str(_deb(tmp_path))],
        "raw, multipart": ["raw", "acme/sandbox", str(large), "--version", "1"],
    }
    env = peer_env(tmp_path)

    def push(arguments: list[str]) -> subprocess.CompletedProcess[str]:
        command = [
            cli,
            "push",
            *arguments,
            "--api-host",
            sandbox.url,
            "-k",
            KEY,
            "--wait-interval",
            "0.1",
        ]
        return subprocess.run(
            command, capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path
        )

    with ThreadPoolExecutor(max_workers=len(pushes)) as pool:
        results = dict(zip(pushes, pool.map(push, pushes.values()), strict=True))
    state = sandbox.state()

    for fmt, result in results.items():
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{fmt}: {output}"
        assert "Package synchronised successfully" in output, f"{fmt}: {output}"
    assert state["packages"]["acme/sandbox"]["completed"] == 4
    assert state["credentials_seen"] == [], "the CLI sends no credentials to presigned URLs"
    for operation in (
        "files_validate",
        "files_create",
        "sandbox_upload_post",
        "packages_validate-upload_python",
        "packages_upload_deb",
        "packages_status",
        "files_complete",
    ):
        assert state["requests"].get(operation), operation
    assert state["requests"]["sandbox_upload_part"] == 2
