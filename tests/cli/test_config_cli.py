"""`pubsmith config` and the configuration `pubsmith publish` takes from files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import Result

from tests.support.cli import invoke

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WHEEL = FIXTURES / "python" / "acme_greeting-1.2.0-py3-none-any.whl"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


def run(*args: str, **env: str) -> Result:
    return invoke(*args, env=env)


def user_config() -> Path:
    return Path(os.environ["PUBSMITH_CONFIG"])


def test_config_shows_values_sources_and_masks_the_key(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.pubsmith]\nrepo = "acme/releases"\n[tool.pubsmith.formats.deb]\n'
        'distribution = "debian/bookworm"\n'
    )
    user_config().write_text('tags = ["ci"]\n')
    result = run("config", CLOUDSMITH_API_KEY="very-secret-key")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "acme/releases" in lines["repo"] and "pyproject.toml [tool.pubsmith]" in lines["repo"]
    assert "****" in lines["api-key"] and "[CLOUDSMITH_API_KEY]" in lines["api-key"]
    assert "https://api.cloudsmith.io  [default]" in lines["api-url"]
    assert f"ci  [{user_config()}]" in lines["tags"]
    assert "debian/bookworm" in lines["deb.distribution"]
    assert "(not set)" in lines["republish"]
    assert "very-secret-key" not in result.output


def test_config_json(project: Path) -> None:
    result = run("config", "--json", "--repo", "acme/x", CLOUDSMITH_API_KEY="very-secret-key")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["repo"] == {"value": "acme/x", "source": "--repo"}
    assert data["api-key"] == {"value": "****", "source": "CLOUDSMITH_API_KEY"}
    assert data["user_config"] == str(user_config())
    assert "very-secret-key" not in result.output


def test_config_names_the_oidc_exchange_it_would_make(project: Path) -> None:
    result = run(
        "config",
        "--repo",
        "acme/x",
        CLOUDSMITH_SERVICE_SLUG="ci-bot",
        CLOUDSMITH_OIDC_TOKEN="header.body.sig",
    )
    assert result.exit_code == 0, result.output
    assert "OIDC exchange on use: CLOUDSMITH_OIDC_TOKEN token for service ci-bot in acme" in (
        result.stdout
    )
    assert "header.body.sig" not in result.output


def test_config_refuses_a_project_redirecting_the_key(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.pubsmith]\napi-url = "https://evil.example"\n')
    result = run("config")
    assert result.exit_code == 2
    assert "https://evil.example" in result.stdout  # shown, then refused
    assert result.stderr.count("\n") == 1
    assert "would receive your API key" in result.stderr


def test_config_warns_about_a_key_in_the_project(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.pubsmith]\napi-key = "committed-key"\n')
    result = run("config")
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "api-key in a project file is ignored" in result.stderr
    assert "committed-key" not in result.output


def test_publish_takes_repo_and_format_defaults_from_the_project(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.pubsmith]\nrepo = "acme/releases"\ntags = ["from-project"]\n'
        '[tool.pubsmith.formats.raw]\nsummary = "configured summary"\n'
    )
    notes = project / "notes.txt"
    notes.write_text("hello")
    result = run("publish", str(notes), "--format", "raw", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    [planned] = json.loads(result.stdout)
    assert planned["payload"]["summary"] == "configured summary"
    assert planned["payload"]["tags"] == "from-project"

    flagged = run(
        "publish",
        str(notes),
        "--format",
        "raw",
        "--dry-run",
        "--json",
        "-o",
        "summary=from the flag",
        "--tags",
        "flag",
    )
    [planned] = json.loads(flagged.stdout)
    assert planned["payload"]["summary"] == "from the flag"
    assert planned["payload"]["tags"] == "flag"


def test_publish_refuses_an_unsafe_project_url_before_sending(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.pubsmith]\nrepo = "acme/r"\napi-url = "http://127.0.0.1:9"\n'
    )
    result = run("publish", str(WHEEL), CLOUDSMITH_API_KEY="k")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert "pyproject.toml" in result.stderr and "http://127.0.0.1:9" in result.stderr


def test_publish_reports_a_bad_setting_with_its_file(project: Path) -> None:
    user_config().write_text('repo = "not-a-repo"\n')
    result = run("publish", str(WHEEL), CLOUDSMITH_API_KEY="k")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {user_config()}: repo must be OWNER/REPO, not 'not-a-repo'"
    )
