"""`poetry cloudsmith publish` with the real Poetry from PyPI, against the sandbox."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.sandbox_api import stored_packages
from tests.support.tools import KEY, STAGING_AND_PROD, python_project, tool

pytestmark = [pytest.mark.peer, pytest.mark.slow, STAGING_AND_PROD]


def poetry(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("PUBSMITH_POETRY", "poetry"), "cloudsmith", "publish", "--no-ansi", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_poetry_builds_then_publishes_with_tool_pubsmith(
    sandbox: SandboxFixture, tool_env: dict[str, str], tmp_path: Path
) -> None:
    root = tmp_path / "poetry-demo"
    (root / "poetry_demo").mkdir(parents=True)
    (root / "poetry_demo" / "__init__.py").write_text('"""A demo."""\n')
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["poetry-core>=2"]\n'
        'build-backend = "poetry.core.masonry.api"\n\n'
        '[project]\nname = "poetry-demo"\nversion = "0.3.0"\ndescription = "A demo"\n'
        'requires-python = ">=3.10"\n\n'
        '[tool.pubsmith]\nrepo = "acme/staging"\ntags = ["poetry"]\n'
    )
    env = {
        **tool_env,
        "CLOUDSMITH_API_KEY": KEY,
        "CLOUDSMITH_API_HOST": sandbox.url,
        "POETRY_VIRTUALENVS_CREATE": "false",
    }
    done = poetry(root, env, "--build", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Building poetry-demo (0.3.0)" in done.stdout
    documents = json.loads(done.stdout[done.stdout.index("[\n") :])
    assert {doc["status"] for doc in documents} == {"published"}
    published = stored_packages(sandbox, "acme/staging")
    assert sorted(str(pkg["filename"]) for pkg in published) == [
        "poetry_demo-0.3.0-py3-none-any.whl",
        "poetry_demo-0.3.0.tar.gz",
    ]
    assert {(pkg["name"], pkg["version"]) for pkg in published} == {("poetry-demo", "0.3.0")}
    assert all(pkg["tags"] == {"info": ["poetry"]} for pkg in published)
    assert KEY not in done.stdout + done.stderr


def test_options_override_the_project_and_promote(
    sandbox: SandboxFixture, tool_env: dict[str, str], tmp_path: Path
) -> None:
    root = python_project(tmp_path / "app", '[tool.pubsmith]\nrepo = "acme/nope"\n')
    env = {**tool_env, "CLOUDSMITH_API_KEY": KEY, "CLOUDSMITH_API_HOST": sandbox.url}
    done = poetry(root, env, "--repo", "acme/staging", "--promote-to", "prod", "--tags", "a,b")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.count("promoted to acme/prod") == 2
    assert len(stored_packages(sandbox, "acme/prod")) == 2
    assert all(
        pkg["tags"] == {"info": ["a", "b"]} for pkg in stored_packages(sandbox, "acme/staging")
    )


def test_errors_are_one_line_with_pubsmith_exit_codes(
    sandbox: SandboxFixture, tool_env: dict[str, str], tmp_path: Path
) -> None:
    root = python_project(tmp_path / "app", '[tool.pubsmith]\nrepo = "acme/staging"\n')
    env = {**tool_env, "CLOUDSMITH_API_KEY": "wrong", "CLOUDSMITH_API_HOST": sandbox.url}
    done = poetry(root, env)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "HTTP 401" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr

    missing = poetry(root, {**env, "CLOUDSMITH_API_KEY": KEY}, "--dist-dir", "nowhere")
    assert missing.returncode == 2
    assert "error: nothing to publish" in missing.stderr
