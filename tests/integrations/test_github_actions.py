"""The documented workflow's publish step, run as GitHub Actions would run it, on a sandbox."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pubsmith.client import CloudsmithClient
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.tools import PYTHON_FIXTURES, REQUEST_TOKEN, ROOT, FakeActionsRuntime

WORKFLOW = ROOT / "docs" / "github-actions.yml"
KEY = "stored-nowhere-in-ci"


pytestmark = pytest.mark.cloudsmith_sandbox(repos=["acme/staging", "acme/production"], api_key=KEY)


def workflow() -> dict[Any, Any]:
    return dict(yaml.safe_load(WORKFLOW.read_text()))


def publish_step() -> dict[str, Any]:
    [step] = [
        step
        for step in workflow()["jobs"]["publish"]["steps"]
        if "pubsmith publish" in step.get("run", "")
    ]
    return dict(step)


def test_the_workflow_uses_oidc_and_no_stored_key() -> None:
    document = workflow()
    assert document["permissions"]["id-token"] == "write"
    text = WORKFLOW.read_text()
    assert "CLOUDSMITH_API_KEY" not in text and "secrets." not in text
    assert publish_step()["env"]["CLOUDSMITH_SERVICE_SLUG"]
    assert "docs/github-actions.yml" in (ROOT / "README.md").read_text()


@pytest.mark.e2e
def test_the_publish_step_runs_with_the_actions_runtime_token(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    work = tmp_path / "checkout"
    (work / "dist").mkdir(parents=True)
    for artifact in PYTHON_FIXTURES.glob("acme_greeting-1.2.0*"):
        shutil.copy(artifact, work / "dist" / artifact.name)
    summary = tmp_path / "step-summary.md"
    step = publish_step()
    with FakeActionsRuntime(sandbox.mint_oidc_token("repo:acme/app:ref:refs/tags/v1.2.0")) as rt:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CLOUDSMITH_")},
            **{str(k): str(v) for k, v in step["env"].items()},
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "GITHUB_ACTIONS": "true",
            "ACTIONS_ID_TOKEN_REQUEST_URL": rt.url,
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": REQUEST_TOKEN,
            "GITHUB_STEP_SUMMARY": str(summary),
            "CLOUDSMITH_API_HOST": sandbox.url,  # the only change: the sandbox, not Cloudsmith
        }
        done = subprocess.run(
            ["bash", "-eo", "pipefail", "-c", step["run"]],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    assert [request["query"]["audience"] for request in rt.requests] == [["cloudsmith"]]
    results = json.loads((work / "pubsmith-results.json").read_text())
    assert {result["status"] for result in results} == {"published"}
    assert {result["promoted_to"] for result in results} == {"acme/production"}
    with CloudsmithClient(sandbox.url, KEY) as client:
        assert len(list(client.list_packages("acme", "production"))) == 2
    table = summary.read_text()
    assert table.count("| ✅ published |") == 2 and "acme/production" in table
