"""Re-runs tell the truth: each row of shared/design/reruns.md against a real sandbox,
``--check`` as a server-side dry run, and nothing uploaded before the server said yes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pubsmith import publish
from pubsmith.client import CloudsmithClient
from pubsmith.events import Event, StageChanged
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import error_lines, pubsmith, start_pubsmith
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
DEB = ROOT / "fixtures" / "deb" / "acme-hello_1.0.0-1_all.deb"
KEY = "reruns-key-3f9a1c"
STAGING, PROD = "acme/staging", "acme/prod"
UPLOADS = ("sandbox_upload_post", "sandbox_upload_put", "sandbox_upload_part")

pytestmark = pytest.mark.cloudsmith_sandbox(repos=[STAGING, PROD], api_key=KEY, sync_seconds=0.2)


def notes(tmp_path: Path, text: str = "release notes\n", name: str = "notes.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def cli(
    sandbox: SandboxFixture, *args: str, key: str = KEY
) -> tuple[int, list[dict[str, Any]], str]:
    """``pubsmith publish --json ARGS`` as a user runs it: exit code, results, stderr."""
    completed = pubsmith("publish", "--json", *args, env=api(sandbox, key))
    return outcome(completed.returncode, completed.stdout, completed.stderr)


def api(sandbox: SandboxFixture, key: str = KEY) -> dict[str, str]:
    return {"CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": key}


def outcome(code: int, stdout: str, stderr: str) -> tuple[int, list[dict[str, Any]], str]:
    assert "Traceback" not in stderr
    results = json.loads(stdout) if stdout.strip() else []
    return code, results, stderr


def raw(path: Path, *more: str) -> list[str]:
    return [f"raw:{path}", "-o", "raw.version=1.0", *more]


def packages(sandbox: SandboxFixture, repo: str = STAGING) -> list[dict[str, Any]]:
    with CloudsmithClient(sandbox.url, KEY) as client:
        return list(client.list_packages(*repo.split("/")))


def uploads(sandbox: SandboxFixture) -> int:
    requests = sandbox.state()["requests"]
    return sum(requests.get(kind, 0) for kind in UPLOADS)


# -- nothing moves before the server has said yes ---------------------------------------


@pytest.mark.e2e
def test_a_rejected_package_sends_no_file_and_the_others_still_publish(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    code, [deb, text], stderr = cli(
        sandbox, str(DEB), *raw(notes(tmp_path)), "--repo", STAGING, "-o", "deb.distribution=hamm/x"
    )
    assert code == 1, stderr
    assert deb["status"] == "failed"
    assert '"hamm/x" is not a valid distribution' in deb["error"]
    assert text["status"] == "published"
    state = sandbox.state()
    # One files_create and one upload: the notes'. The deb's bytes never left.
    assert state["requests"]["files_create"] == 1
    assert uploads(sandbox) == 1
    assert state["bytes_received"]["sandbox_upload_post"] < DEB.stat().st_size


@pytest.mark.e2e
def test_a_rejected_payload_alone_leaves_nothing_received(sandbox: SandboxFixture) -> None:
    code, [deb], _ = cli(sandbox, str(DEB), "--repo", STAGING, "-d", "debian/hamm")
    assert (code, deb["status"]) == (1, "failed")
    state = sandbox.state()
    assert state["requests"].get("files_create", 0) == 0
    assert not any(state["bytes_received"].get(kind) for kind in UPLOADS)
    assert state["requests"]["packages_validate-upload_deb"] == 1


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("args", "key", "code", "says"),
    [
        (["--repo", STAGING, "-d", "debian/bookworm"], "wrong-key", 3, "the key is wrong"),
        (["--repo", "acme/nowhere", "-d", "debian/bookworm"], KEY, 4, "check --repo OWNER/REPO"),
        (["--repo", STAGING, "-d", "debian/hamm"], KEY, 1, "is not a valid distribution"),
    ],
    ids=["bad-key", "bad-repository", "bad-distribution"],
)
def test_check_finds_what_the_server_would_refuse_and_sends_no_file(
    sandbox: SandboxFixture, args: list[str], key: str, code: int, says: str
) -> None:
    found, results, stderr = cli(sandbox, str(DEB), "--check", *args, key=key)
    assert found == code, stderr
    assert results[0]["status"] == "failed"
    assert says in results[0]["error"]
    assert len(error_lines(stderr)) == 1
    assert sandbox.state()["requests"].get("files_create", 0) == 0


@pytest.mark.e2e
def test_check_of_good_packages_says_checked_and_uploads_nothing(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    code, results, _ = cli(
        sandbox,
        str(DEB),
        "-o",
        "deb.distribution=debian/bookworm",
        *raw(notes(tmp_path)),
        "--repo",
        STAGING,
        "--check",
    )
    assert code == 0
    assert [result["status"] for result in results] == ["checked", "checked"]
    assert sandbox.state()["requests"].get("files_create", 0) == 0
    assert packages(sandbox) == []


# -- re-runs -----------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_re_run_skips_what_is_there_with_the_same_content(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    path = notes(tmp_path)
    first_code, [first], _ = cli(sandbox, *raw(path), "--repo", STAGING, "--skip-existing")
    code, [again], _ = cli(sandbox, *raw(path), "--repo", STAGING, "--skip-existing")
    assert (first_code, code) == (0, 0)
    assert (first["status"], again["status"]) == ("published", "skipped")
    assert again["slug_perm"] == first["slug_perm"]
    assert sandbox.state()["requests"]["files_create"] == 1


@pytest.mark.e2e
def test_a_re_run_refuses_to_replace_other_content_without_republish(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    cli(sandbox, *raw(notes(tmp_path)), "--repo", STAGING)
    notes(tmp_path, "other notes\n")
    code, [result], stderr = cli(
        sandbox, *raw(notes(tmp_path, "other notes\n")), "--repo", STAGING, "--skip-existing"
    )
    assert code == 1, stderr
    assert "with different content; pass --republish to replace it" in result["error"]
    assert sandbox.state()["requests"]["files_create"] == 1  # nothing sent the second time
    code, [result], _ = cli(
        sandbox,
        *raw(notes(tmp_path, "other notes\n")),
        "--repo",
        STAGING,
        "--skip-existing",
        "--republish",
    )
    assert (code, result["status"]) == (0, "published")
    [package] = packages(sandbox)
    assert package["slug_perm"] == result["slug_perm"]


@pytest.mark.e2e
def test_a_blind_re_run_after_a_processing_failure_publishes_it_once_the_fault_is_cleared(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    path = notes(tmp_path)
    sandbox.configure(fail_processing=["notes.txt"])
    code, [failed], _ = cli(sandbox, *raw(path), "--repo", STAGING, "--skip-existing")
    assert (code, failed["status"]) == (1, "failed")
    code, [still], _ = cli(sandbox, *raw(path), "--repo", STAGING, "--skip-existing")
    assert (code, still["status"]) == (1, "failed")  # never "skipped": it failed
    sandbox.configure(fail_processing=[])
    code, [published], stderr = cli(sandbox, *raw(path), "--repo", STAGING, "--skip-existing")
    assert (code, published["status"]) == (0, "published"), stderr
    # The new package replaced the failed ones: the repository holds exactly one.
    [package] = packages(sandbox)
    assert package["slug_perm"] == published["slug_perm"]
    assert package["is_sync_completed"]


@pytest.mark.e2e
@pytest.mark.cloudsmith_sandbox(clock="manual")  # the first stays processing until the test says
def test_a_re_run_while_the_first_is_processing_awaits_it_instead_of_uploading(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    path = notes(tmp_path)
    code, [first], _ = cli(sandbox, *raw(path), "--repo", STAGING, "--no-wait")
    assert (code, first["status"]) == (0, "published")
    args = ("publish", "--json", *raw(path), "--repo", STAGING, "--skip-existing")
    rerun = start_pubsmith(*args, env=api(sandbox))
    try:
        # The re-run has found the first package processing and is waiting for it.
        wait_for(lambda: sandbox.state()["requests"].get("packages_status"), "a status request")
        sandbox.clock.advance(1)
        stdout, stderr = rerun.communicate(timeout=120)
        code, [second], _ = outcome(rerun.returncode, stdout, stderr)
    finally:
        rerun.kill()
    assert (code, second["status"]) == (0, "skipped")
    assert second["slug_perm"] == first["slug_perm"]
    assert sandbox.state()["requests"]["files_create"] == 1
    [package] = packages(sandbox)
    assert package["is_sync_completed"]


@pytest.mark.e2e
def test_a_re_run_with_skip_existing_and_promote_to_fills_production(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    path = notes(tmp_path)
    # The first run died after publishing, before promoting: production is empty.
    cli(sandbox, *raw(path), "--repo", STAGING)
    assert packages(sandbox, PROD) == []
    code, [result], stderr = cli(
        sandbox, *raw(path), "--repo", STAGING, "--skip-existing", "--promote-to", "prod"
    )
    assert (code, result["status"], result["promoted_to"]) == (0, "skipped", PROD), stderr
    [promoted] = packages(sandbox, PROD)
    assert promoted["slug_perm"] == result["promoted_slug_perm"]
    assert promoted["is_sync_completed"]
    # Again: already there, with the same content; nothing is copied twice.
    code, [again], _ = cli(
        sandbox, *raw(path), "--repo", STAGING, "--skip-existing", "--promote-to", "prod"
    )
    assert (code, again["promoted_slug_perm"]) == (0, promoted["slug_perm"])
    assert sandbox.state()["requests"]["packages_copy"] == 1
    assert len(packages(sandbox, PROD)) == 1


def test_resync_failed_asks_the_server_to_process_a_failed_package_again(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    sandbox.configure(fail_processing=["notes.txt"])

    def heal(event: Event) -> None:
        # The fault clears once the first processing has failed, as a flaky one would.
        if isinstance(event, StageChanged) and event.stage == "await" and event.detail == "Failed":
            sandbox.configure(fail_processing=[])

    [result] = publish(
        [f"raw:{notes(tmp_path)}"],
        repo=STAGING,
        options={"raw.version": "1.0"},
        resync_failed=2,
        api_url=sandbox.url,
        api_key=KEY,
        on_event=heal,
        resume=False,
    )
    assert result.status == "published", result.error
    assert sandbox.state()["requests"]["packages_resync"] == 1
    [package] = packages(sandbox)
    assert package["is_sync_completed"]


@pytest.mark.e2e
def test_without_resync_failed_a_failed_package_stays_failed(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    sandbox.configure(fail_processing=["notes.txt"])
    code, [result], _ = cli(sandbox, *raw(notes(tmp_path)), "--repo", STAGING)
    assert (code, result["status"]) == (1, "failed")
    assert "processing failed" in result["error"]
    assert "packages_resync" not in sandbox.state()["requests"]


@pytest.mark.cloudsmith_sandbox(clock="manual")  # nothing is processed until the test says
def test_a_package_waiting_for_processing_holds_no_transfer_slot(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    order: list[tuple[str, str]] = []

    def record(event: Event) -> None:
        if not isinstance(event, StageChanged):
            return
        name = Path(event.file).name
        if event.stage in ("transfer", "done"):
            order.append((name, event.stage))
        if (name, event.stage, event.detail) == ("two.txt", "await", ""):
            # Both are up and created: only now does processing move on, for both.
            sandbox.clock.advance(1)

    first, second = notes(tmp_path, "one\n", "one.txt"), notes(tmp_path, "two\n", "two.txt")
    results = publish(
        [f"raw:{first}", f"raw:{second}"],
        repo=STAGING,
        options={"raw.version": "1.0"},
        concurrency=1,
        api_url=sandbox.url,
        api_key=KEY,
        on_event=record,
        resume=False,
    )
    assert [result.status for result in results] == ["published", "published"]
    # With one slot, the second file went up while the first was still being processed.
    assert order.index(("two.txt", "transfer")) < order.index(("one.txt", "done"))
