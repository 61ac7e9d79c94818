"""The small things a new user trips over, each as that user meets it."""

from __future__ import annotations

import os
import pty
import select
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import Result

from pubsmith import publish
from pubsmith.errors import ConfigError
from pubsmith.integrations.hatch import hatch_publish
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import error_lines, invoke, pubsmith, start_pubsmith

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
WHEEL = FIXTURES / "python" / "acme_greeting-1.2.0-py3-none-any.whl"
KEY = "papercut-key"


pytestmark = pytest.mark.cloudsmith_sandbox(repos=["acme/staging", "acme/prod"], api_key=KEY)


def run(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
    return invoke(*args, env=env)


def on_sandbox(sandbox: SandboxFixture, *args: str, key: str = KEY) -> Result:
    return run(*args, env={"CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": key})


def published(sandbox: SandboxFixture) -> str:
    [result] = publish([WHEEL], repo="acme/staging", api_url=sandbox.url, api_key=KEY)
    assert result.package, result.error
    return result.package


def error_line(result: Result) -> str:
    [line] = error_lines(result.stderr)
    return line


def test_status_of_a_deleted_package_is_exit_4_without_a_flag_it_lacks(
    sandbox: SandboxFixture,
) -> None:
    package = published(sandbox)
    assert on_sandbox(sandbox, "delete", package, "--yes").exit_code == 0
    result = on_sandbox(sandbox, "status", package)
    assert result.exit_code == 4
    line = error_line(result)
    assert "--repo" not in line and "deleted?" in line and "pubsmith list OWNER/REPO" in line


def test_promote_to_a_repository_that_does_not_exist_is_exit_4(sandbox: SandboxFixture) -> None:
    result = on_sandbox(sandbox, "promote", published(sandbox), "--to", "nosuch")
    assert result.exit_code == 4
    assert error_line(result).startswith("error: promote acme/staging/")
    assert "no repository acme/nosuch" in error_line(result) and "check --to" in result.stderr
    assert "packages_copy" not in sandbox.state()["requests"]


@pytest.mark.e2e
def test_answering_no_at_the_delete_prompt_keeps_the_package_quietly(
    sandbox: SandboxFixture,
) -> None:
    package = published(sandbox)
    controller, terminal = pty.openpty()
    env = {"CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": KEY}
    process = start_pubsmith(
        "delete", package, env=env, stdin=terminal, stdout=terminal, stderr=terminal
    )
    os.close(terminal)
    screen = b""
    while b"for good?" not in screen:
        ready, _, _ = select.select([controller], [], [], 30)
        assert ready, screen
        screen += os.read(controller, 4096)
    os.write(controller, b"n\n")
    code = process.wait(timeout=60)
    while select.select([controller], [], [], 0.5)[0]:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    os.close(controller)
    text = screen.decode()
    assert code == 0, text
    assert f"kept {package}" in text and "interrupted" not in text and "error" not in text
    assert "packages_delete" not in sandbox.state()["requests"]


@pytest.mark.e2e
def test_a_mistyped_command_gets_a_suggestion() -> None:
    done = pubsmith("pubish", "dist/*", timeout=60)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("error: no command 'pubish' (did you mean publish?); commands: ")


def test_the_chunk_size_default_is_in_the_help() -> None:
    assert "[default: 100M]" in " ".join(run("publish", "--help").stdout.split())


def test_formats_says_which_required_options_the_file_states() -> None:
    lines = run("formats").stdout.splitlines()
    skills = lines[next(i for i, line in enumerate(lines) if line.startswith("skills")) + 1 :]
    assert "-o name=...  (str, read from the file; required if it does not state it)" in skills[0]
    deb = lines[next(i for i, line in enumerate(lines) if line.startswith("deb ")) + 1 :]
    assert "-o distribution=...  (str, required)" in "\n".join(deb[:3])


def test_every_missing_required_option_is_named_at_once() -> None:
    result = run("publish", str(FIXTURES / "swift" / "AcmeGreeting-1.0.0.zip"), "--dry-run")
    assert result.exit_code == 2
    line = error_line(result)
    assert "need scope (" in line and ") and name (" in line and ") and version (" in line
    assert line.endswith("pass -o scope=VALUE -o name=VALUE -o version=VALUE")


def test_a_deb_and_an_rpm_without_a_distribution_are_told_one_each() -> None:
    deb = FIXTURES / "deb" / "acme-hello_1.0.0-1_all.deb"
    rpm = FIXTURES / "rpm" / "acme-hello-1.0.0-1.noarch.rpm"
    result = run("publish", str(deb), str(rpm), "--dry-run")
    assert result.exit_code == 2
    lines = error_lines(result.stderr)
    assert lines[0].endswith("pass -o deb.distribution=VALUE")
    assert lines[1].endswith("pass -o rpm.distribution=VALUE")
    alone = error_line(run("publish", str(deb), "--dry-run"))
    assert alone.endswith("pass --distribution SLUG")


def test_under_hatch_the_missing_key_message_names_no_flag_hatch_lacks(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / WHEEL.name).write_bytes(WHEEL.read_bytes())
    with pytest.raises(ConfigError) as caught:
        hatch_publish(tmp_path, [], {"repo": "acme/staging"}, {}, {}, environ={})
    message = str(caught.value)
    assert message.startswith("no API key: set CLOUDSMITH_API_KEY (or put api-key")
    assert "--api-key" not in message


def test_a_one_character_key_leaves_the_words_around_it_alone(sandbox: SandboxFixture) -> None:
    result = on_sandbox(sandbox, "publish", str(WHEEL), "--repo", "acme/staging", key="a")
    assert result.exit_code == 3
    line = error_line(result)
    assert "Invalid API key" in line and "****" not in line


def test_cloudsmith_cli_habits_work_k_and_api_host(sandbox: SandboxFixture) -> None:
    package = published(sandbox)
    result = run("status", package, "--api-host", sandbox.url, "-k", KEY)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{package}: Completed")


def test_cloudsmith_repo_stands_in_for_repo(sandbox: SandboxFixture) -> None:
    env = {
        "CLOUDSMITH_API_HOST": sandbox.url,
        "CLOUDSMITH_API_KEY": KEY,
        "CLOUDSMITH_REPO": "acme/prod",
    }
    result = run("publish", str(WHEEL), env=env)
    assert result.exit_code == 0, result.output
    assert "acme/prod/" in result.stderr
    assert sandbox.state()["packages"]["acme/prod"]["completed"] == 1
    shown = run("config", env=env).stdout
    assert "acme/prod  [CLOUDSMITH_REPO]" in shown


def test_a_quoted_glob_publishes_what_it_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dist").mkdir()
    for artifact in (FIXTURES / "python").glob("acme_greeting-1.2.0*"):
        (tmp_path / "dist" / artifact.name).write_bytes(artifact.read_bytes())
    result = run("publish", "dist/*", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("planned    dist/acme_greeting-1.2.0") == 2
    assert result.stderr.splitlines()[-1] == "2 files: 2 planned"


def test_a_dry_run_never_shows_none_for_a_version_nobody_gave(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("notes")
    result = run("publish", f"raw:{notes}", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"planned    {notes}  [raw notes.txt]" in result.stderr
    assert "None" not in result.stderr


def test_a_proxy_in_a_project_file_is_ignored_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pubsmith]\nrepo = "acme/x"\nproxy = "http://evil.example:3128"\n'
    )
    result = run("config", env={"HTTPS_PROXY": ""})
    assert "proxy in a project file is ignored" in result.stderr
    assert "evil.example" not in result.stdout
