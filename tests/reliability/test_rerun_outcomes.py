"""Re-runs tell the truth: each row of shared/design/reruns.md against a real sandbox,
``--check`` as a server-side dry run, and nothing uploaded before the server said yes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability_support import error_lines, pubsmith

from pubsmith import publish
from pubsmith.client import CloudsmithClient
from pubsmith.events import Event, StageChanged
from pubsmith_sandbox import SandboxConfig, running_sandbox
from pubsmith_sandbox.runner import Sandbox

ROOT = Path(__file__).resolve().parents[2]
DEB = ROOT / "fixtures" / "deb" / "acme-hello_1.0.0-1_all.deb"
KEY = "reruns-key-3f9a1c"
STAGING, PROD = "acme/staging", "acme/prod"
UPLOADS = ("sandbox_upload_post", "sandbox_upload_put", "sandbox_upload_part")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Sandbox]:
    config = SandboxConfig(
        data_dir=tmp_path / "sandbox", repos=(STAGING, PROD), api_key=KEY, sync_seconds=0.2
    )
    with running_sandbox(config) as sandbox:
        yield sandbox


def notes(tmp_path: Path, text: str = "release notes\n", name: str = "notes.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def cli(sandbox: Sandbox, *args: str, key: str = KEY) -> tuple[int, list[dict[str, Any]], str]:
    """``pubsmith publish --json ARGS`` as a user runs it: exit code, results, stderr."""
    completed = pubsmith(
        "publish",
        "--json",
        *args,
        env={"CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": key},
    )
    assert "Traceback" not in completed.stderr
    results = json.loads(completed.stdout) if completed.stdout.strip() else []
    return completed.returncode, results, completed.stderr


def raw(path: Path, *more: str) -> list[str]:
    return [f"raw:{path}", "-o", "raw.version=1.0", *more]


def packages(sandbox: Sandbox, repo: str = STAGING) -> list[dict[str, Any]]:
    with CloudsmithClient(sandbox.url, KEY) as client:
        return list(client.list_packages(*repo.split("/")))


def uploads(sandbox: Sandbox) -> int:
    requests = sandbox.state()["requests"]
    return sum(requests.get(kind, 0) for kind in UPLOADS)


# -- nothing moves before the server has said yes ---------------------------------------


def test_a_rejected_package_sends_no_file_and_the_others_still_publish(
    world: Sandbox, tmp_path: Path
) -> None:
    code, [deb, text], stderr = cli(
        world, str(DEB), *raw(notes(tmp_path)), "--repo", STAGING, "-o", "deb.distribution=hamm/x"
    )
    assert code == 1, stderr
    assert deb["status"] == "failed"
    assert '"hamm/x" is not a valid distribution' in deb["error"]
    assert text["status"] == "published"
    state = world.state()
    # One files_create and one upload: the notes'. The deb's bytes never left.
    assert state["requests"]["files_create"] == 1
    assert uploads(world) == 1
    assert state["bytes_received"]["sandbox_upload_post"] < DEB.stat().st_size


def test_a_rejected_payload_alone_leaves_nothing_received(world: Sandbox) -> None:
    code, [deb], _ = cli(world, str(DEB), "--repo", STAGING, "-d", "debian/hamm")
    assert (code, deb["status"]) == (1, "failed")
    state = world.state()
    assert state["requests"].get("files_create", 0) == 0
    assert not any(state["bytes_received"].get(kind) for kind in UPLOADS)
    assert state["requests"]["packages_validate-upload_deb"] == 1


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
    world: Sandbox, args: list[str], key: str, code: int, says: str
) -> None:
    found, results, stderr = cli(world, str(DEB), "--check", *args, key=key)
    assert found == code, stderr
    assert results[0]["status"] == "failed"
    assert says in results[0]["error"]
    assert len(error_lines(stderr)) == 1
    assert world.state()["requests"].get("files_create", 0) == 0


def test_check_of_good_packages_says_checked_and_uploads_nothing(
    world: Sandbox, tmp_path: Path
) -> None:
    code, results, _ = cli(
        world,
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
    assert world.state()["requests"].get("files_create", 0) == 0
    assert packages(world) == []


# -- re-runs -----------------------------------------------------------------------------


def test_a_re_run_skips_what_is_there_with_the_same_content(world: Sandbox, tmp_path: Path) -> None:
    path = notes(tmp_path)
    first_code, [first], _ = cli(world, *raw(path), "--repo", STAGING, "--skip-existing")
    code, [again], _ = cli(world, *raw(path), "--repo", STAGING, "--skip-existing")
    assert (first_code, code) == (0, 0)
    assert (first["status"], again["status"]) == ("published", "skipped")
    assert again["slug_perm"] == first["slug_perm"]
    assert world.state()["requests"]["files_create"] == 1


def test_a_re_run_refuses_to_replace_other_content_without_republish(
    world: Sandbox, tmp_path: Path
) -> None:
    cli(world, *raw(notes(tmp_path)), "--repo", STAGING)
    notes(tmp_path, "other notes\n")
    code, [result], stderr = cli(
        world, *raw(notes(tmp_path, "other notes\n")), "--repo", STAGING, "--skip-existing"
    )
    assert code == 1, stderr
    assert "with different content; pass --republish to replace it" in result["error"]
    assert world.state()["requests"]["files_create"] == 1  # nothing sent the second time
    code, [result], _ = cli(
        world,
        *raw(notes(tmp_path, "other notes\n")),
        "--repo",
        STAGING,
        "--skip-existing",
        "--republish",
    )
    assert (code, result["status"]) == (0, "published")
    [package] = packages(world)
    assert package["slug_perm"] == result["slug_perm"]


def test_a_blind_re_run_after_a_processing_failure_publishes_it_once_the_fault_is_cleared(
    world: Sandbox, tmp_path: Path
) -> None:
    path = notes(tmp_path)
    world.configure(fail_processing=["notes.txt"])
    code, [failed], _ = cli(world, *raw(path), "--repo", STAGING, "--skip-existing")
    assert (code, failed["status"]) == (1, "failed")
    code, [still], _ = cli(world, *raw(path), "--repo", STAGING, "--skip-existing")
    assert (code, still["status"]) == (1, "failed")  # never "skipped": it failed
    world.configure(fail_processing=[])
    code, [published], stderr = cli(world, *raw(path), "--repo", STAGING, "--skip-existing")
    assert (code, published["status"]) == (0, "published"), stderr
    # The new package replaced the failed ones: the repository holds exactly one.
    [package] = packages(world)
    assert package["slug_perm"] == published["slug_perm"]
    assert package["is_sync_completed"]


def test_a_re_run_while_the_first_is_processing_awaits_it_instead_of_uploading(
    world: Sandbox, tmp_path: Path
) -> None:
    world.configure(sync_seconds=1.0)
    path = notes(tmp_path)
    code, [first], _ = cli(world, *raw(path), "--repo", STAGING, "--no-wait")
    assert (code, first["status"]) == (0, "published")
    code, [second], _ = cli(world, *raw(path), "--repo", STAGING, "--skip-existing")
    assert (code, second["status"]) == (0, "skipped")
    assert second["slug_perm"] == first["slug_perm"]
    assert world.state()["requests"]["files_create"] == 1
    [package] = packages(world)
    assert package["is_sync_completed"]


def test_a_re_run_with_skip_existing_and_promote_to_fills_production(
    world: Sandbox, tmp_path: Path
) -> None:
    path = notes(tmp_path)
    # The first run died after publishing, before promoting: production is empty.
    cli(world, *raw(path), "--repo", STAGING)
    assert packages(world, PROD) == []
    code, [result], stderr = cli(
        world, *raw(path), "--repo", STAGING, "--skip-existing", "--promote-to", "prod"
    )
    assert (code, result["status"], result["promoted_to"]) == (0, "skipped", PROD), stderr
    [promoted] = packages(world, PROD)
    assert promoted["slug_perm"] == result["promoted_slug_perm"]
    assert promoted["is_sync_completed"]
    # Again: already there, with the same content; nothing is copied twice.
    code, [again], _ = cli(
        world, *raw(path), "--repo", STAGING, "--skip-existing", "--promote-to", "prod"
    )
    assert (code, again["promoted_slug_perm"]) == (0, promoted["slug_perm"])
    assert world.state()["requests"]["packages_copy"] == 1
    assert len(packages(world, PROD)) == 1


def test_resync_failed_asks_the_server_to_process_a_failed_package_again(
    world: Sandbox, tmp_path: Path
) -> None:
    world.configure(fail_processing=["notes.txt"])

    def heal(event: Event) -> None:
        # The fault clears once the first processing has failed, as a flaky one would.
        if isinstance(event, StageChanged) and event.stage == "await" and event.detail == "Failed":
            world.configure(fail_processing=[])

    [result] = publish(
        [f"raw:{notes(tmp_path)}"],
        repo=STAGING,
        options={"raw.version": "1.0"},
        resync_failed=2,
        api_url=world.url,
        api_key=KEY,
        on_event=heal,
        resume=False,
    )
    assert result.status == "published", result.error
    assert world.state()["requests"]["packages_resync"] == 1
    [package] = packages(world)
    assert package["is_sync_completed"]


def test_without_resync_failed_a_failed_package_stays_failed(
    world: Sandbox, tmp_path: Path
) -> None:
    world.configure(fail_processing=["notes.txt"])
    code, [result], _ = cli(world, *raw(notes(tmp_path)), "--repo", STAGING)
    assert (code, result["status"]) == (1, "failed")
    assert "processing failed" in result["error"]
    assert "packages_resync" not in world.state()["requests"]


def test_a_package_waiting_for_processing_holds_no_transfer_slot(
    world: Sandbox, tmp_path: Path
) -> None:
    world.configure(sync_seconds=0.5)
    order: list[tuple[str, str]] = []

    def record(event: Event) -> None:
        if isinstance(event, StageChanged) and event.stage in ("transfer", "done"):
            order.append((Path(event.file).name, event.stage))

    first, second = notes(tmp_path, "one\n", "one.txt"), notes(tmp_path, "two\n", "two.txt")
    results = publish(
        [f"raw:{first}", f"raw:{second}"],
        repo=STAGING,
        options={"raw.version": "1.0"},
        concurrency=1,
        api_url=world.url,
        api_key=KEY,
        on_event=record,
        resume=False,
    )
    assert [result.status for result in results] == ["published", "published"]
    # With one slot, the second file went up while the first was still being processed.
    assert order.index(("two.txt", "transfer")) < order.index(("one.txt", "done"))
