"""action.yml, run step by step as the Actions runner runs a composite action, on a sandbox.

A small runner stands in for GitHub's: it evaluates the ``${{ inputs.* }}`` and
``${{ github.* }}`` expressions the action uses, runs each step's script with the shell
GitHub uses for ``shell: bash``, gives it ``GITHUB_OUTPUT``, ``GITHUB_ENV``,
``GITHUB_STEP_SUMMARY`` and ``RUNNER_TEMP`` files, reads the outputs back the way the
runner does (``name=value`` and ``name<<DELIMITER`` blocks), and maps them to the action's
outputs. The OIDC token comes from a fake Actions ID-token endpoint.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.tools import PYTHON_FIXTURES, REQUEST_TOKEN, ROOT, FakeActionsRuntime

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
SCHEMA = json.loads((ROOT / "docs" / "publish-result.schema.json").read_text())
KEY = "action-key-not-for-logs"
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

pytestmark = pytest.mark.cloudsmith_sandbox(repos=["acme/staging", "acme/production"], api_key=KEY)


@dataclass
class Run:
    code: int
    outputs: dict[str, str]
    log: str
    summary: str


def run_action(
    inputs: Mapping[str, str], work: Path, env: Mapping[str, str], runner_temp: Path
) -> Run:
    declared = ACTION["inputs"]
    assert set(inputs) <= set(declared), set(inputs) - set(declared)
    values = {name: inputs.get(name, spec.get("default", "")) for name, spec in declared.items()}
    files = {name: runner_temp / name for name in ("output", "env", "summary")}
    for path in files.values():
        path.touch()
    steps: dict[str, dict[str, str]] = {}
    base = {
        **env,
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(ROOT),
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_STEP_SUMMARY": str(files["summary"]),
    }
    log, code = "", 0
    for step in ACTION["runs"]["steps"]:
        context = {"inputs": values, "github": {"action_path": str(ROOT)}, "steps": steps}
        if "if" in step and not _condition(step["if"], context):
            continue
        files["output"].write_text("")
        step_env = {**base, **_runner_env(files["env"])}
        step_env.update(
            {name: _evaluate(str(value), context) for name, value in step.get("env", {}).items()}
        )
        step_env.update(GITHUB_OUTPUT=str(files["output"]), GITHUB_ENV=str(files["env"]))
        assert step["shell"] == "bash"
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=work,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        log += done.stdout + done.stderr
        steps[step.get("id", step["name"])] = {"outputs": _outputs(files["output"])}  # type: ignore[dict-item]
        if done.returncode != 0:
            code = done.returncode
            break
    context = {"inputs": values, "steps": steps}
    outputs = {name: _evaluate(spec["value"], context) for name, spec in ACTION["outputs"].items()}
    return Run(code, outputs, log, files["summary"].read_text())


def _lookup(path: str, context: Mapping[str, Any]) -> Any:
    value: Any = context
    for part in path.split("."):
        value = value.get(part, "") if isinstance(value, Mapping) else ""
    return value


def _evaluate(text: str, context: Mapping[str, Any]) -> str:
    return _EXPRESSION.sub(lambda match: str(_lookup(match[1], context)), text)


def _condition(text: str, context: Mapping[str, Any]) -> bool:
    inner = _EXPRESSION.fullmatch(text.strip())
    left, operator, right = (inner[1] if inner else text).partition("==")
    assert operator, f"the runner here understands only a == 'b', not {text!r}"
    return str(_lookup(left.strip(), context)) == right.strip().strip("'")


def _outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: name=value lines and name<<DELIM blocks."""
    found: dict[str, str] = {}
    lines = iter(path.read_text().splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            found[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            found[name] = value
    return found


def _runner_env(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    work = tmp_path / "checkout"
    (work / "dist").mkdir(parents=True)
    for artifact in PYTHON_FIXTURES.glob("acme_greeting-1.2.0*"):
        shutil.copy(artifact, work / "dist" / artifact.name)
    (work / "NOTES.txt").write_text("release notes\n")
    return work


def job_environment(sandbox: SandboxFixture, **extra: str) -> dict[str, str]:
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith(("CLOUDSMITH_", "GITHUB_"))
    }
    return {
        **inherited,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "CLOUDSMITH_API_HOST": sandbox.url,
        **extra,
    }


def test_the_action_declares_the_documented_inputs_and_outputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) >= {
        "files",
        "repo",
        "format",
        "options",
        "tags",
        "promote-to",
        "skip-existing",
        "republish",
        "check",
        "api-key",
    }
    assert ACTION["inputs"]["api-key"]["required"] is False
    assert set(ACTION["outputs"]) == {"results", "published", "skipped", "failed"}
    # Inputs reach scripts through env only: no ${{ }} inside a run: script.
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step["run"], step["name"]


@pytest.mark.e2e
@pytest.mark.slow
def test_the_action_publishes_with_oidc_promotes_and_reports_its_outputs(
    sandbox: SandboxFixture, checkout: Path, tmp_path: Path
) -> None:
    token = sandbox.mint_oidc_token("repo:acme/app:ref:refs/tags/v1.2.0")
    with FakeActionsRuntime(token) as runtime:
        env = job_environment(
            sandbox,
            ACTIONS_ID_TOKEN_REQUEST_URL=runtime.url,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN=REQUEST_TOKEN,
        )
        run = run_action(
            {
                "files": "dist/*\nraw:NOTES.txt",
                "repo": "acme/staging",
                "options": "raw.version=1.2.0\n  raw.summary=Release notes",
                "tags": "ci,release",
                "promote-to": "production",
                "skip-existing": "true",
                "oidc-service-slug": "github-release-bot",
                "install": "false",
            },
            checkout,
            env,
            tmp_path,
        )
    assert run.code == 0, run.log
    assert [request["query"]["audience"] for request in runtime.requests] == [["cloudsmith"]]
    results = json.loads(run.outputs["results"])
    jsonschema.validate(results, SCHEMA)
    assert (run.outputs["published"], run.outputs["skipped"], run.outputs["failed"]) == (
        "3",
        "0",
        "0",
    )
    assert {result["promoted_to"] for result in results} == {"acme/production"}
    notes = next(result for result in results if result["format"] == "raw")
    assert (
        notes["payload"]["summary"] == "Release notes" and notes["payload"]["tags"] == "ci,release"
    )
    assert run.summary.count("| ✅ published |") == 3
    assert "::error" not in run.log


@pytest.mark.e2e
def test_a_failed_package_fails_the_step_with_an_annotation_and_still_sets_outputs(
    sandbox: SandboxFixture, checkout: Path, tmp_path: Path
) -> None:
    sandbox.configure(fail_processing=["*.txt"])
    run = run_action(
        {
            "files": "dist/acme_greeting-1.2.0.tar.gz raw:NOTES.txt",
            "repo": "acme/staging",
            "options": "raw.version=1",
            "api-key": KEY,
            "install": "false",
        },
        checkout,
        job_environment(sandbox),
        tmp_path,
    )
    assert run.code == 1, run.log
    assert (run.outputs["published"], run.outputs["failed"]) == ("1", "1")
    [annotation] = [line for line in run.log.splitlines() if line.startswith("::error ")]
    assert annotation.startswith(
        "::error file=NOTES.txt,title=pubsmith%3A NOTES.txt not published::"
    )
    assert "processing failed" in annotation
    assert f"::add-mask::{KEY}" in run.log  # the runner hides it from every later line
    assert KEY not in run.outputs["results"] and KEY not in run.summary
    assert "| ❌ failed |" in run.summary


@pytest.mark.e2e
def test_a_file_name_cannot_become_a_command(
    sandbox: SandboxFixture, checkout: Path, tmp_path: Path
) -> None:
    run = run_action(
        {
            "files": "dist/$(touch pwned)*.whl ; touch pwned2",
            "repo": "acme/staging",
            "api-key": KEY,
            "install": "false",
        },
        checkout,
        job_environment(sandbox),
        tmp_path,
    )
    assert run.code == 2, run.log
    assert not (checkout / "pwned").exists() and not (checkout / "pwned2").exists()
    assert run.outputs["failed"] == "0" and json.loads(run.outputs["results"]) == []


@pytest.mark.e2e
@pytest.mark.slow
def test_the_install_step_installs_pubsmith_from_the_actions_own_ref(tmp_path: Path) -> None:
    [install] = [step for step in ACTION["runs"]["steps"] if step["name"] == "Install pubsmith"]
    env_file = tmp_path / "env"
    env_file.touch()
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", install["run"]],
        env={
            **os.environ,
            "ACTION_PATH": str(ROOT),
            "RUNNER_TEMP": str(tmp_path),
            "GITHUB_ENV": str(env_file),
        },
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [line] = env_file.read_text().splitlines()
    name, _, executable = line.partition("=")
    assert name == "PUBSMITH"
    version = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, check=True, timeout=60
    )
    from pubsmith import __version__

    assert version.stdout.strip() == f"pubsmith {__version__}"
