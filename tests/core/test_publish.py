"""Publishing end to end over real HTTP to a sandbox on loopback."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pubsmith.errors import BadInputError
from pubsmith.publishing import plan_files, publish
from pubsmith.registry import FormatRegistry
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import pubsmith
from tests.support.http_clients import http_get

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WHEEL = FIXTURES / "python" / "acme_greeting-1.2.0-py3-none-any.whl"
SDIST = FIXTURES / "python" / "acme_greeting-1.2.0.tar.gz"
NOTES = FIXTURES / "raw" / "release-notes.txt"
JAR = FIXTURES / "maven" / "greeting-1.4.0.jar"
POM = FIXTURES / "maven" / "greeting-1.4.0.pom"
KEY = "e2e-key-7d1c"
REPO = "acme/e2e"


pytestmark = pytest.mark.cloudsmith_sandbox(repos=[REPO], api_key=KEY, sync_seconds=0.2)


def packages(url: str) -> list[dict[str, object]]:
    response = http_get(
        f"{url}/packages/acme/e2e/", headers={"X-Api-Key": KEY}, params={"page_size": 100}
    )
    response.raise_for_status()
    result: list[dict[str, object]] = response.json()
    return result


def cli(url: str, *args: str, key: str = KEY) -> subprocess.CompletedProcess[str]:
    return pubsmith("publish", *args, env={"CLOUDSMITH_API_HOST": url, "CLOUDSMITH_API_KEY": key})


def test_wheel_sdist_and_raw_publish_synchronised_with_name_and_version(sandbox) -> None:  # type: ignore[no-untyped-def]
    # The notes are no format's by content: "raw:" says which, for that file only.
    results = publish(
        [WHEEL, SDIST, f"raw:{NOTES}"],
        repo=REPO,
        options={"raw.version": "2.0.1"},
        api_url=sandbox.url,
        api_key=KEY,
        tags=["ci", "e2e"],
    )
    assert [result.status for result in results] == ["published"] * 3, [r.error for r in results]
    assert [result.file for result in results] == [str(WHEEL), str(SDIST), str(NOTES)]
    stored = {package["filename"]: package for package in packages(sandbox.url)}
    assert set(stored) == {WHEEL.name, SDIST.name, NOTES.name}
    for path, name, version in [
        (WHEEL, "acme-greeting", "1.2.0"),
        (SDIST, "acme-greeting", "1.2.0"),
        (NOTES, "release-notes.txt", "2.0.1"),
    ]:
        package = stored[path.name]
        assert (package["name"], package["version"]) == (name, version)
        assert package["is_sync_completed"] is True
        assert package["checksum_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert {result.slug_perm for result in results} == {
        package["slug_perm"] for package in stored.values()
    }


def test_large_file_goes_up_in_parallel_parts(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(12 * 1024 * 1024 + 17))
    [result] = publish(
        [big], repo=REPO, format="raw", api_url=sandbox.url, api_key=KEY, chunk_size=5 * 1024 * 1024
    )
    assert result.status == "published", result.error
    [package] = packages(sandbox.url)
    assert package["checksum_sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
    assert package["size"] == big.stat().st_size
    state = sandbox.state()
    assert state["requests"]["files_complete"] == 1
    assert state["requests"]["sandbox_upload_part"] == 3


@pytest.mark.e2e
@pytest.mark.slow
def test_twenty_files_in_one_call(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = []
    for index in range(20):
        path = tmp_path / f"artifact-{index:02}.txt"
        path.write_text(f"artifact {index}\n")
        files.append(str(path))
    completed = cli(
        sandbox.url,
        *files,
        "--repo",
        REPO,
        "--format",
        "raw",
        "-o",
        "version=1.0",
        "--json",
        "-j",
        "8",
    )
    assert completed.returncode == 0, completed.stderr
    results = json.loads(completed.stdout)
    assert [result["status"] for result in results] == ["published"] * 20
    assert sorted(package["filename"] for package in packages(sandbox.url)) == sorted(
        Path(f).name for f in files
    )


def test_dry_run_payload_is_exactly_what_is_sent(sandbox) -> None:  # type: ignore[no-untyped-def]
    options = {"version": "2.0.1", "summary": "notes", "content_type": "text/plain"}
    [planned] = publish([NOTES], format="raw", options=options, tags=["x"], dry_run=True)
    [sent] = publish(
        [NOTES],
        repo=REPO,
        format="raw",
        options=options,
        tags=["x"],
        api_url=sandbox.url,
        api_key=KEY,
    )
    assert sent.status == "published", sent.error
    assert planned.payload is not None and sent.payload is not None
    assert planned.payload.keys() == sent.payload.keys()
    identifier = sent.payload["package_file"]
    assert planned.payload["package_file"] == f"<upload:{NOTES.name}>"
    assert {**sent.payload, "package_file": planned.payload["package_file"]} == planned.payload
    assert identifier != planned.payload["package_file"]


def test_bad_input_sends_nothing(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadInputError):
        publish([WHEEL, tmp_path / "missing.whl"], repo=REPO, api_url=sandbox.url, api_key=KEY)
    assert sum(sandbox.state()["requests"].values()) == 0


@pytest.mark.e2e
def test_unknown_repository_is_one_line_with_its_exit_code(sandbox) -> None:  # type: ignore[no-untyped-def]
    completed = cli(sandbox.url, str(WHEEL), str(SDIST), "--repo", "acme/nope")
    assert completed.returncode == 4, completed.stderr
    assert "Traceback" not in completed.stderr
    errors = [line for line in completed.stderr.splitlines() if "error:" in line]
    assert errors and all("acme/nope" in line or "--repo" in line for line in errors)


@pytest.mark.e2e
def test_wrong_key_is_one_line_with_its_exit_code(sandbox) -> None:  # type: ignore[no-untyped-def]
    completed = cli(sandbox.url, str(WHEEL), "--repo", REPO, key="wrong-key")
    assert completed.returncode == 3, completed.stderr
    assert "Traceback" not in completed.stderr
    assert "wrong-key" not in completed.stderr + completed.stdout
    assert "CLOUDSMITH_API_KEY" in completed.stderr


@pytest.mark.e2e
@pytest.mark.slow
def test_processing_failure_is_reported_with_the_reason_and_others_still_publish(sandbox) -> None:  # type: ignore[no-untyped-def]
    sandbox.configure(fail_processing=["release-notes*"])
    completed = cli(sandbox.url, str(WHEEL), "--repo", REPO, "--json")
    assert completed.returncode == 0, completed.stderr
    completed = cli(
        sandbox.url,
        str(NOTES),
        str(SDIST),
        "--repo",
        REPO,
        "--format",
        "raw",
        "-o",
        "version=1",
        "--json",
    )
    results = {Path(r["file"]).name: r for r in json.loads(completed.stdout)}
    assert completed.returncode == 1
    assert results[SDIST.name]["status"] == "published"
    assert results[NOTES.name]["status"] == "failed"
    assert "processing failed" in results[NOTES.name]["error"]
    assert "Traceback" not in completed.stderr


def test_skip_existing_skips_identical_content_and_refuses_different(
    sandbox, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.txt"
    notes.write_text("one")
    common = {
        "repo": REPO,
        "format": "raw",
        "options": {"version": "1"},
        "api_url": sandbox.url,
        "api_key": KEY,
        "skip_existing": True,
    }
    assert [r.status for r in publish([notes], **common)] == ["published"]  # type: ignore[arg-type]
    assert [r.status for r in publish([notes], **common)] == ["skipped"]  # type: ignore[arg-type]
    notes.write_text("two")
    [changed] = publish([notes], **common)  # type: ignore[arg-type]
    assert changed.status == "failed"
    assert "different content" in (changed.error or "")
    [replaced] = publish([notes], republish=True, **common)  # type: ignore[arg-type]
    assert replaced.status == "published", replaced.error
    assert len(packages(sandbox.url)) == 1


def planned(
    registry: FormatRegistry,
    *paths: Path | str,
    format_name: str | None = None,
    options: dict[str, str] | None = None,
) -> list[tuple[Path, str]]:
    plans = plan_files(paths, registry=registry, format_name=format_name, options=options)
    return [(plan.path, plan.format) for plan in plans]


def test_a_files_own_format_wins_over_format_for_that_file(registry: FormatRegistry) -> None:
    options = {"version": "1", "generic.filepath": "docs/notes.txt"}
    assert planned(registry, f"raw:{NOTES}", SDIST, format_name="generic", options=options) == [
        (NOTES, "raw"),
        (SDIST, "generic"),
    ]


def test_a_file_given_twice_is_one_package_of_the_format_named(registry: FormatRegistry) -> None:
    options = {"version": "1"}
    assert planned(registry, NOTES, f"raw:{NOTES}", f"RAW:{NOTES}", options=options) == [
        (NOTES, "raw")
    ]
    with pytest.raises(
        BadInputError, match=f"^{re.escape(str(NOTES))}: is given as both raw and generic"
    ):
        planned(registry, f"raw:{NOTES}", f"generic:{NOTES}", options=options)


def test_a_companion_is_published_on_its_own_only_when_given_a_format(
    registry: FormatRegistry,
) -> None:
    assert planned(registry, JAR, POM) == [(JAR, "maven")]
    assert planned(registry, JAR, f"raw:{POM}", options={"raw.version": "1"}) == [
        (JAR, "maven"),
        (POM, "raw"),
    ]


def test_a_missing_file_with_a_format_is_named_by_its_path(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    missing = tmp_path / "gone.txt"
    with pytest.raises(BadInputError) as caught:
        planned(registry, f"raw:{missing}", f"pypi:{missing}")
    assert [str(error) for error in caught.value.errors] == [
        f"{missing}: no such file; check the path",
        f"pypi:{missing}: no such file; check the path",
    ]


def test_a_path_object_is_a_plain_path(
    registry: FormatRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("notes")
    with pytest.raises(BadInputError, match="^raw:notes.txt: no such file"):
        planned(registry, Path("raw:notes.txt"), format_name="raw", options={"version": "1"})


def test_an_unexpected_failure_of_one_package_keeps_the_others_results(
    sandbox: SandboxFixture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bug (here: one raised while uploading one file) fails that package alone: the run
    # still returns every result, so --json still reports what was published.
    from pubsmith.upload import Uploader

    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("good\n")
    bad.write_text("bad\n")
    upload = Uploader.upload

    def flaky(self: Uploader, owner: str, repo: str, path: Path, **options: Any) -> Any:
        if path.name == "bad.txt":
            raise KeyError("linkname not found")
        return upload(self, owner, repo, path, **options)

    monkeypatch.setattr(Uploader, "upload", flaky)
    results = publish(
        [good, bad],
        repo=sandbox.repo_slug,
        format="raw",
        options={"version": "1"},
        api_url=sandbox.url,
        api_key=sandbox.api_key,
        wait=False,
        resume=False,
    )
    assert [result.status for result in results] == ["published", "failed"]
    error = results[1].error or ""
    assert error.startswith(f"{bad}: failed unexpectedly ('linkname not found'); this is a bug")
    assert "KeyError" not in error
