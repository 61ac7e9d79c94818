"""Concurrent runs of the same release end clean: every run exits 0, every file is held by
exactly one synchronised package, and the losers of each race leave no failed duplicate."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pubsmith import publish
from pubsmith.client import CloudsmithClient
from pubsmith.events import Event, StageChanged
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import start_pubsmith
from tests.support.http_clients import http_client
from tests.support.loopback import Answer, Seen, serving

KEY = "concurrent-key-8e2d"
REPO = "acme/releases"

# Processing slow enough, and every request late enough, that concurrent runs meet
# packages still processing: the races these tests are about. They run on real time.
pytestmark = pytest.mark.cloudsmith_sandbox(
    repos=[REPO], api_key=KEY, sync_seconds=0.5, faults={"latency_ms": 20}
)


def stored(sandbox: SandboxFixture) -> list[dict[str, Any]]:
    with CloudsmithClient(sandbox.url, KEY) as client:
        return list(client.list_packages(*REPO.split("/")))


def files(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    made = []
    for index in range(count):
        path = folder / f"f-{index:02}.txt"
        path.write_text(f"file {index}\n")
        made.append(path)
    return made


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.parametrize("runs", [2, 4])
def test_concurrent_skip_existing_runs_of_the_same_files_all_end_clean(
    sandbox: SandboxFixture, tmp_path: Path, runs: int
) -> None:
    paths = files(tmp_path / "dist", 20)
    env = {"CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": KEY}
    command = [
        "publish", *map(str, paths), "--skip-existing",
        "--format", "raw", "-o", "version=1", "--repo", REPO, "--json", "-v",
    ]  # fmt: skip
    started = [start_pubsmith(*command, env=env) for _ in range(runs)]
    finished = [process.communicate(timeout=170) for process in started]
    for process, (_, stderr) in zip(started, finished, strict=True):
        assert process.returncode == 0, stderr
    packages = stored(sandbox)
    assert all(package["is_sync_completed"] for package in packages), packages
    holders = Counter(package["filename"] for package in packages)
    assert holders == Counter({path.name: 1 for path in paths})
    slug_of = {package["filename"]: package["slug_perm"] for package in packages}
    published: Counter[str] = Counter()
    for stdout, _ in finished:
        results = json.loads(stdout)
        assert {result["status"] for result in results} <= {"published", "skipped"}
        for result in results:
            assert result["slug_perm"] == slug_of[Path(result["file"]).name], result
            published[result["file"]] += result["status"] == "published"
    # Each file was published by exactly one run; every other run reports it skipped.
    assert published == Counter({str(path): 1 for path in paths})


@pytest.mark.slow
def test_a_lost_race_is_skipped_with_the_winners_reference_and_the_loser_cleans_up(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("release notes\n")
    winner: list[Any] = []

    def other_run_wins(event: Event) -> None:
        # Our search found nothing; just before our upload, another run publishes the file.
        if isinstance(event, StageChanged) and event.stage == "transfer" and not winner:
            winner.extend(
                publish([f"raw:{path}"], repo=REPO, options={"raw.version": "1"},
                        api_url=sandbox.url, api_key=KEY, resume=False)
            )  # fmt: skip

    [ours] = publish(
        [f"raw:{path}"],
        repo=REPO,
        options={"raw.version": "1"},
        skip_existing=True,
        api_url=sandbox.url,
        api_key=KEY,
        on_event=other_run_wins,
        resume=False,
    )
    [theirs] = winner
    assert (theirs.status, ours.status) == ("published", "skipped"), ours.error
    assert ours.slug_perm == theirs.slug_perm
    [package] = stored(sandbox)  # our failed duplicate was deleted
    assert package["slug_perm"] == theirs.slug_perm and package["is_sync_completed"]
    assert sandbox.state()["requests"]["packages_delete"] == 1


@pytest.mark.slow
def test_a_race_lost_to_other_content_fails_naming_both_packages(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    ours_path, theirs_path = tmp_path / "ours" / "notes.txt", tmp_path / "theirs" / "notes.txt"
    for path, text in ((ours_path, "ours\n"), (theirs_path, "theirs\n")):
        path.parent.mkdir()
        path.write_text(text)
    winner: list[Any] = []

    def other_content_wins(event: Event) -> None:
        if isinstance(event, StageChanged) and event.stage == "transfer" and not winner:
            winner.extend(
                publish([f"raw:{theirs_path}"], repo=REPO, options={"raw.version": "1"},
                        api_url=sandbox.url, api_key=KEY, resume=False)
            )  # fmt: skip

    [ours] = publish(
        [f"raw:{ours_path}"],
        repo=REPO,
        options={"raw.version": "1"},
        skip_existing=True,
        api_url=sandbox.url,
        api_key=KEY,
        on_event=other_content_wins,
        resume=False,
    )
    [theirs] = winner
    assert ours.status == "failed"
    created = {package["slug_perm"] for package in stored(sandbox)} - {theirs.slug_perm}
    [our_package] = created
    assert our_package in (ours.error or "") and str(theirs.slug_perm) in (ours.error or "")
    assert "with different content" in (ours.error or "")


def test_a_server_that_refuses_a_duplicate_up_front_gets_no_upload(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("release notes\n")
    [first] = publish(
        [f"raw:{path}"], repo=REPO, options={"raw.version": "1"}, api_url=sandbox.url,
        api_key=KEY, resume=False,
    )  # fmt: skip
    duplicate = json.dumps({"detail": "A package with this filename already exists."}).encode()

    searches: list[str] = []

    with http_client(base_url=sandbox.url, timeout=60) as upstream:

        def refuse_duplicates(seen: Seen) -> Answer:
            # The first search misses it (another run's package, published a moment later),
            # then validate-upload says "duplicate", as a server may where the sandbox does not.
            if seen.method == "GET" and seen.path.startswith("/packages/") and not searches:
                searches.append(seen.path)
                return 200, {"Content-Type": "application/json"}, b"[]"
            if "/validate-upload/" in seen.path:
                return 400, {"Content-Type": "application/json"}, duplicate
            headers = {k: v for k, v in seen.headers.items() if k not in ("host", "content-length")}
            answer = upstream.request(seen.method, seen.path, headers=headers, content=seen.body)
            return answer.status_code, {"Content-Type": "application/json"}, answer.content

        with serving(refuse_duplicates) as server:
            [again] = publish(
                [f"raw:{path}"], repo=REPO, options={"raw.version": "1"}, skip_existing=True,
                api_url=server.url, api_key=KEY, resume=False,
            )  # fmt: skip
    assert (again.status, again.slug_perm) == ("skipped", first.slug_perm), again.error
    assert searches
    assert not [seen for seen in server.seen if seen.path.startswith("/files/")]


@pytest.mark.parametrize("then", ["fails", "fails and is deleted by its run"])
@pytest.mark.cloudsmith_sandbox(faults={}, clock="manual")
def test_a_run_awaiting_another_runs_package_that_loses_the_race_skips_in_favour_of_the_winner(
    sandbox: SandboxFixture, tmp_path: Path, then: str
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("release notes\n")
    same = {"repo": REPO, "options": {"raw.version": "1"}, "api_url": sandbox.url,
            "api_key": KEY, "resume": False}  # fmt: skip
    # Two other runs made the same package and both are processing; the one made first
    # (which ours awaits) finishes last, so it is the one that fails as a duplicate.
    sandbox.configure(sync_seconds=10)
    [loser] = publish([f"raw:{path}"], wait=False, **same)
    sandbox.clock.advance(0.1)
    sandbox.configure(sync_seconds=1)
    [winner] = publish([f"raw:{path}"], wait=False, **same)
    awaited: list[str] = []

    def settle_both(event: Event) -> None:
        if isinstance(event, StageChanged) and event.stage == "await" and not awaited:
            awaited.append(event.detail)
            sandbox.clock.advance(20)
            if then == "fails and is deleted by its run":
                # The losing run cleans up its failed duplicate before our first look at it.
                with CloudsmithClient(sandbox.url, KEY) as client:
                    client.delete_package(*REPO.split("/"), str(loser.slug_perm))

    [ours] = publish([f"raw:{path}"], skip_existing=True, on_event=settle_both, **same)
    assert awaited == [""]  # ours found them processing and sent nothing
    assert (ours.status, ours.slug_perm) == ("skipped", winner.slug_perm), ours.error
    held = {package["slug_perm"]: package for package in stored(sandbox)}
    assert held[str(winner.slug_perm)]["is_sync_completed"]
    assert held.get(str(loser.slug_perm), {"is_sync_failed": True})["is_sync_failed"]
    assert sandbox.state()["requests"]["files_create"] == 2
