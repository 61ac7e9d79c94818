"""publish --promote-to, the JSON schema of --json output, and the GitHub step summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import Result

from pubsmith import publish
from pubsmith.events import Event, StageChanged
from pubsmith.results import PublishResult
from pubsmith.summary import markdown_table
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import invoke

ROOT = Path(__file__).resolve().parents[2]
WHEEL = ROOT / "fixtures" / "python" / "acme_greeting-1.2.0-py3-none-any.whl"
SDIST = ROOT / "fixtures" / "python" / "acme_greeting-1.2.0.tar.gz"
NOTES = ROOT / "fixtures" / "raw" / "release-notes.txt"
SCHEMA = json.loads((ROOT / "docs" / "publish-result.schema.json").read_text())
KEY = "output-key"


pytestmark = pytest.mark.cloudsmith_sandbox(repos=["acme/staging", "acme/prod"], api_key=KEY)


def publish_cli(sandbox: SandboxFixture, *args: str, **env: str) -> Result:
    return invoke(
        "publish",
        "--json",
        *args,
        env={"CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": KEY, **env},
    )


def valid(stdout: str) -> list[dict[str, Any]]:
    document = json.loads(stdout)
    jsonschema.validate(document, SCHEMA)
    return list(document)


def test_promote_to_copies_each_package_once_synchronised(sandbox: SandboxFixture) -> None:
    result = publish_cli(
        sandbox, str(WHEEL), str(SDIST), "--repo", "acme/staging", "--promote-to", "prod"
    )
    assert result.exit_code == 0, result.output
    documents = valid(result.stdout)
    assert {doc["promoted_to"] for doc in documents} == {"acme/prod"}
    from pubsmith.client import CloudsmithClient

    with CloudsmithClient(sandbox.url, KEY) as client:
        prod = {pkg["slug_perm"]: pkg for pkg in client.list_packages("acme", "prod")}
    assert set(prod) == {doc["promoted_slug_perm"] for doc in documents}
    assert all(pkg["is_sync_completed"] for pkg in prod.values())
    assert sandbox.state()["requests"]["packages_copy"] == 2


def test_a_missing_promotion_repository_stops_the_run_before_any_upload(
    sandbox: SandboxFixture,
) -> None:
    result = publish_cli(sandbox, str(WHEEL), "--repo", "acme/staging", "--promote-to", "missing")
    assert result.exit_code == 4, result.output
    [document] = valid(result.stdout)
    assert document["status"] == "failed"
    assert "list packages in acme/missing failed (HTTP 404)" in document["error"]
    assert document["slug_perm"] is None
    assert not sandbox.state()["requests"].get("files_create")


def test_a_failed_promotion_fails_that_result_only(sandbox: SandboxFixture) -> None:
    def break_copies_of_the_wheel(event: Event) -> None:
        # Once the wheel is on its way to prod, its copy there fails processing.
        promoting = isinstance(event, StageChanged) and event.stage == "promote"
        if promoting and event.file == str(WHEEL):
            sandbox.configure(fail_processing=["*.whl"])

    wheel, notes = publish(
        [WHEEL, f"raw:{NOTES}"],
        repo="acme/staging",
        options={"raw.version": "1"},
        promote_to="prod",
        api_url=sandbox.url,
        api_key=KEY,
        on_event=break_copies_of_the_wheel,
    )
    assert wheel.status == "failed"
    assert wheel.slug_perm  # it was published to staging
    assert (wheel.error or "").startswith("published to acme/staging but not promoted to prod:")
    assert "processing failed" in (wheel.error or "")
    assert (notes.status, notes.promoted_to) == ("published", "acme/prod")


def test_promote_to_another_owner_is_refused_before_anything_is_sent(
    sandbox: SandboxFixture,
) -> None:
    result = publish_cli(sandbox, str(WHEEL), "--repo", "acme/staging", "--promote-to", "evil/x")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "one owner" in result.stderr
    assert not sandbox.state()["requests"].get("files_create")


def test_every_kind_of_result_matches_the_documented_schema(sandbox: SandboxFixture) -> None:
    planned = valid(publish_cli(sandbox, str(WHEEL), "--dry-run").stdout)
    assert planned[0]["status"] == "planned" and planned[0]["payload"]

    checked = valid(publish_cli(sandbox, str(WHEEL), "--repo", "acme/staging", "--check").stdout)
    assert checked[0]["status"] == "checked"

    published = valid(publish_cli(sandbox, str(WHEEL), "--repo", "acme/staging").stdout)
    assert published[0]["status"] == "published"

    skipped = valid(
        publish_cli(sandbox, str(WHEEL), "--repo", "acme/staging", "--skip-existing").stdout
    )
    assert skipped[0]["status"] == "skipped"

    sandbox.configure(fail_processing=["*.txt"])
    failed = publish_cli(sandbox, str(NOTES), "--format", "raw", "--repo", "acme/staging")
    assert failed.exit_code == 1
    assert valid(failed.stdout)[0]["status"] == "failed"


def test_the_schema_rejects_what_the_readme_says_cannot_happen() -> None:
    good = PublishResult(
        "a.whl", "python", "a", "1", "published", slug_perm="x", repository="acme/r"
    ).to_dict()
    assert good["package"] == "acme/r/x"
    jsonschema.validate([good], SCHEMA)
    for broken in (
        {**good, "status": "done"},
        {**good, "error": "x"},
        {**good, "extra": 1},
        {k: v for k, v in good.items() if k != "slug"},
        {**good, "package": None},  # a published package always has its reference
        {**good, "package": "x"},
        {**good, "metadata": {"status": "lost"}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([broken], SCHEMA)


def test_the_docs_document_the_schema_file() -> None:
    assert "(docs/publish-result.schema.json)" in (ROOT / "README.md").read_text()
    usage = (ROOT / "docs" / "usage.md").read_text()
    section = usage.split("### JSON output", 1)[1].split("\n## ", 1)[0]
    assert "(publish-result.schema.json)" in section
    for field in SCHEMA["$defs"]["result"]["required"]:
        assert f"`{field}`" in section or f'"{field}"' in section, field


def test_a_step_summary_is_appended_when_github_asks_for_one(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    result = publish_cli(
        sandbox, str(WHEEL), "--repo", "acme/staging", GITHUB_STEP_SUMMARY=str(summary)
    )
    assert result.exit_code == 0, result.output
    [document] = json.loads(result.stdout)
    text = summary.read_text()
    assert text.startswith("earlier step\n### pubsmith publish\n")
    assert "| Status | File | Format | Name | Version | Identifier | Error |" in text
    assert (
        f"| ✅ published | `{WHEEL.name}` | python | acme-greeting | 1.2.0 | "
        f"`{document['slug_perm']}` |  |"
    ) in text
    assert KEY not in text


def test_an_unwritable_step_summary_is_a_warning_not_a_failure(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    result = publish_cli(
        sandbox,
        str(WHEEL),
        "--dry-run",
        GITHUB_STEP_SUMMARY=str(tmp_path / "no" / "such" / "dir" / "x.md"),
    )
    assert result.exit_code == 0
    assert "warning: cannot write the step summary" in result.stderr


def test_markdown_cells_cannot_break_the_table() -> None:
    bad = PublishResult("dist/x|y.whl", "python", "x", "1", "failed", error="line one\nline | two")
    table = markdown_table([bad])
    row = table.strip().splitlines()[-1]
    assert row == "| ❌ failed | `x\\|y.whl` | python | x | 1 |  | line one line \\| two |"
    assert "1 file: 1 failed" in table
