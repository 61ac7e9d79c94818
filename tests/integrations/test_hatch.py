"""`hatch publish -p cloudsmith` with the real hatch from PyPI, against the sandbox."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.sandbox_api import stored_packages
from tests.support.tools import KEY, STAGING_AND_PROD, python_project, tool

pytestmark = [pytest.mark.peer, pytest.mark.slow, STAGING_AND_PROD]


def hatch(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("PUBSMITH_HATCH", "hatch"), "publish", "-p", "cloudsmith", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_hatch_publishes_dist_configured_from_pyproject(
    sandbox: SandboxFixture, tool_env: dict[str, str], tmp_path: Path
) -> None:
    root = python_project(
        tmp_path / "app",
        f'[tool.hatch.publish.cloudsmith]\nrepo = "acme/staging"\nurl = "{sandbox.url}"\n'
        'tags = ["hatch", "ci"]\n',
    )
    summary = tmp_path / "summary.md"
    env = {
        **tool_env,
        "CLOUDSMITH_API_KEY": KEY,
        "CLOUDSMITH_API_HOST": sandbox.url,
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    done = hatch(root, env)
    assert done.returncode == 0, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "acme_greeting-1.2.0-py3-none-any.whl ... published" in output
    assert "acme_greeting-1.2.0.tar.gz ... published" in output
    published = stored_packages(sandbox, "acme/staging")
    assert sorted(str(pkg["filename"]) for pkg in published) == [
        "acme_greeting-1.2.0-py3-none-any.whl",
        "acme_greeting-1.2.0.tar.gz",
    ]
    assert all(pkg["is_sync_completed"] for pkg in published)
    assert all(pkg["tags"] == {"info": ["hatch", "ci"]} for pkg in published)
    assert "| ✅ published |" in summary.read_text()
    assert KEY not in output


def test_o_options_and_hatch_config_override_the_project(
    sandbox: SandboxFixture, tool_env: dict[str, str], tmp_path: Path
) -> None:
    root = python_project(tmp_path / "app", '[tool.hatch.publish.cloudsmith]\nrepo = "acme/nope"\n')
    hatch_config = tmp_path / "hatch.toml"
    hatch_config.write_text(
        '[publish.cloudsmith]\ntags = ["from-hatch-config"]\npromote-to = "prod"\n'
    )
    env = {
        **tool_env,
        "CLOUDSMITH_API_KEY": KEY,
        "CLOUDSMITH_API_HOST": sandbox.url,
        "HATCH_CONFIG": str(hatch_config),
    }
    wheel = "dist/acme_greeting-1.2.0-py3-none-any.whl"
    done = hatch(root, env, "-o", "repo=acme/staging", "-o", "republish=true", wheel)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "promoted to acme/prod" in done.stdout + done.stderr
    [staged] = stored_packages(sandbox, "acme/staging")
    [promoted] = stored_packages(sandbox, "acme/prod")
    assert staged["filename"] == promoted["filename"] == Path(wheel).name
    assert staged["tags"] == {"info": ["from-hatch-config"]}


def test_a_project_url_cannot_take_the_key_elsewhere(
    sandbox: SandboxFixture, tool_env: dict[str, str], tmp_path: Path
) -> None:
    root = python_project(
        tmp_path / "app",
        f'[tool.hatch.publish.cloudsmith]\nrepo = "acme/staging"\nurl = "{sandbox.url}"\n',
    )
    done = hatch(root, {**tool_env, "CLOUDSMITH_API_KEY": KEY})
    assert done.returncode != 0
    assert "would receive your API key" in done.stdout + done.stderr
    assert "tool.hatch.publish.cloudsmith" in done.stdout + done.stderr
    assert sum(sandbox.state()["requests"].values()) == 0


def test_bad_options_abort_with_one_line(
    sandbox: SandboxFixture, tool_env: dict[str, str], tmp_path: Path
) -> None:
    root = python_project(tmp_path / "app")
    env = {**tool_env, "CLOUDSMITH_API_KEY": KEY, "CLOUDSMITH_API_HOST": sandbox.url}
    done = hatch(root, env, "-o", "repo=acme/staging", "-o", "colour=blue")
    assert done.returncode == 1
    assert "hatch -o: unknown setting 'colour'" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
