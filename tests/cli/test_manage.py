"""promote, status, tag, resync and delete against a real sandbox, through the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import Result

from pubsmith.publishing import publish
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.catalog import FIXTURES
from tests.support.cli import invoke
from tests.support.sandbox_api import stored_packages

KEY = "manage-key"
WHEEL = FIXTURES / "python" / "acme_greeting-1.2.0-py3-none-any.whl"

pytestmark = pytest.mark.cloudsmith_sandbox(
    repos=["acme/staging", "acme/prod", "other/x"], api_key=KEY
)


def published(sandbox: SandboxFixture, *, wait: bool = True) -> str:
    [result] = publish(
        [WHEEL], repo="acme/staging", api_url=sandbox.url, api_key=KEY, wait=wait, resume=False
    )
    assert result.status == "published", result.error
    assert result.slug_perm
    return result.slug_perm


def run(sandbox: SandboxFixture, *args: str, key: str = KEY) -> Result:
    return invoke(*args, env={"CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": key})


def packages_in(sandbox: SandboxFixture, repo: str) -> list[dict[str, object]]:
    return stored_packages(sandbox, f"acme/{repo}")


def test_promote_waits_for_the_source_then_copies_and_waits_for_the_copy(
    sandbox: SandboxFixture,
) -> None:
    sandbox.configure(sync_seconds=0.4)
    slug = published(sandbox, wait=False)  # still processing: promote must wait for it
    result = run(sandbox, "promote", f"acme/staging/{slug}", "--to", "prod", "--json")
    assert result.exit_code == 0, result.output
    assert sandbox.state()["requests"]["packages_status"] >= 2  # polled the source, then the copy
    answer = json.loads(result.stdout)
    assert answer["source"] == f"acme/staging/{slug}"
    assert answer["destination"] == "acme/prod"
    assert answer["action"] == "copy"
    assert answer["synchronised"] is True
    [copy] = packages_in(sandbox, "prod")
    assert copy["slug_perm"] == answer["slug_perm"] != slug
    assert copy["is_sync_completed"] is True
    assert len(packages_in(sandbox, "staging")) == 1
    assert sandbox.state()["requests"]["packages_copy"] == 1


def test_promote_move_takes_the_package_away(sandbox: SandboxFixture) -> None:
    slug = published(sandbox)
    result = run(sandbox, "promote", f"acme/staging/{slug}", "--to", "acme/prod", "--move")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"moved acme/staging/{slug} to acme/prod/")
    assert packages_in(sandbox, "staging") == []
    assert len(packages_in(sandbox, "prod")) == 1


def test_promote_no_wait_returns_before_the_copy_is_processed(sandbox: SandboxFixture) -> None:
    slug = published(sandbox)
    sandbox.configure(sync_seconds=30)  # the copy will take long to process
    result = run(sandbox, "promote", f"acme/staging/{slug}", "--to", "prod", "--no-wait", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["synchronised"] is False


def test_promote_refuses_another_owner_before_sending_anything(sandbox: SandboxFixture) -> None:
    slug = published(sandbox)
    before = sum(sandbox.state()["requests"].values())
    result = run(sandbox, "promote", f"acme/staging/{slug}", "--to", "other/x")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "one owner" in result.stderr
    assert sum(sandbox.state()["requests"].values()) == before


def test_status_shows_the_state_and_json(sandbox: SandboxFixture) -> None:
    slug = published(sandbox)
    human = run(sandbox, "status", f"acme/staging/{slug}")
    assert human.exit_code == 0, human.output
    assert human.stdout.startswith(f"acme/staging/{slug}: Completed")
    data = json.loads(run(sandbox, "status", f"acme/staging/{slug}", "--json").stdout)
    assert data["is_sync_completed"] is True


def test_status_of_a_failed_package_exits_1_with_the_reason(sandbox: SandboxFixture) -> None:
    sandbox.configure(fail_processing=["acme_greeting*"])
    [result] = publish([WHEEL], repo="acme/staging", api_url=sandbox.url, api_key=KEY, resume=False)
    assert result.status == "failed" and result.slug_perm
    status = run(sandbox, "status", f"acme/staging/{result.slug_perm}")
    assert status.exit_code == 1
    assert "Failed" in status.stdout


def test_tag_add_remove_replace_clear(sandbox: SandboxFixture) -> None:
    slug = published(sandbox)
    ref = f"acme/staging/{slug}"

    def tags(*args: str) -> list[str]:
        result = run(sandbox, "tag", ref, *args, "--json")
        assert result.exit_code == 0, result.output
        return list(json.loads(result.stdout)["tags"])

    assert tags("--add", "beta,candidate") == ["beta", "candidate"]
    assert tags("--remove", "beta") == ["candidate"]
    assert tags("--replace", "stable,latest") == ["stable", "latest"]
    assert tags("--add", "pinned", "--immutable") == ["stable", "latest", "pinned"]
    assert tags("--clear") == ["pinned"]  # immutable tags survive a clear
    human = run(sandbox, "tag", ref, "--add", "x")
    assert human.stdout.strip() == f"{ref}: tags pinned, x"


@pytest.mark.parametrize("args", [(), ("--add", "a", "--clear"), ("--add", " , ")])
def test_tag_needs_exactly_one_action_with_tags(
    sandbox: SandboxFixture, args: tuple[str, ...]
) -> None:
    result = run(sandbox, "tag", "acme/staging/abc", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_resync_processes_the_package_again(sandbox: SandboxFixture) -> None:
    slug = published(sandbox)
    result = run(sandbox, "resync", f"acme/staging/{slug}", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["is_sync_completed"] is True
    assert sandbox.state()["requests"]["packages_resync"] == 1


def test_delete_needs_yes_without_a_terminal(sandbox: SandboxFixture) -> None:
    slug = published(sandbox)
    refused = run(sandbox, "delete", f"acme/staging/{slug}")
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert len(packages_in(sandbox, "staging")) == 1
    done = run(sandbox, "delete", f"acme/staging/{slug}", "--yes", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {"package": f"acme/staging/{slug}", "deleted": True}
    assert packages_in(sandbox, "staging") == []


@pytest.mark.parametrize(
    ("args", "key", "code", "fragment"),
    [
        (("status", "acme/staging/nope"), KEY, 4, "acme/staging"),
        (("status", "acme/staging"), KEY, 2, "OWNER/REPO/SLUG"),
        (("status", "acme/staging/abc"), "wrong-key", 3, "HTTP 401"),
        (("resync", "acme/missing/abc"), KEY, 4, "HTTP 404"),
    ],
)
def test_errors_are_one_line_with_their_exit_code(
    sandbox: SandboxFixture, args: tuple[str, ...], key: str, code: int, fragment: str
) -> None:
    result = run(sandbox, *args, key=key)
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert fragment in result.stderr
    assert "Traceback" not in result.output
    assert key not in result.stderr


def test_no_key_at_all_says_how_to_get_one(sandbox: SandboxFixture) -> None:
    result = invoke("status", "acme/staging/abc", env={"CLOUDSMITH_API_HOST": sandbox.url})
    assert result.exit_code == 2
    assert "no API key" in result.stderr and "pubsmith config" in result.stderr
