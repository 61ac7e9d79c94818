"""The keyring is a fallback: never loaded when a key is configured, never spawning a process.

keyring's macOS backend calls ``ctypes.util.find_library`` when imported, which on Linux
runs ldconfig, gcc and ld. Each run here is a real ``pubsmith`` process watched by an audit
hook that records every attempt to start a process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFixture

# Every test runs pubsmith as its own process, watched from within by an audit hook.
pytestmark = pytest.mark.e2e

_PROBE = """
import json, sys
spawned = []
_EVENTS = ("subprocess.Popen", "os.posix_spawn", "os.exec", "os.fork", "os.forkpty",
           "os.system", "os.spawn", "os.startfile")
def watch(event, args):
    if event in _EVENTS:
        spawned.append([event, repr(args)[:200]])
sys.addaudithook(watch)
from pubsmith.cli import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "spawned": spawned, "keyring": "keyring" in sys.modules}))
"""


def run(*args: str, **env: str) -> dict[str, Any]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDSMITH_", "PUBSMITH_"))}
    config_dir = Path(os.environ["PUBSMITH_CONFIG"]).parent
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        env={
            **base,
            "PUBSMITH_CONFIG": str(config_dir / "none.toml"),
            "CLOUDSMITH_CONFIG_FILE": os.environ["CLOUDSMITH_CONFIG_FILE"],
            "CLOUDSMITH_CREDENTIALS_FILE": os.environ["CLOUDSMITH_CREDENTIALS_FILE"],
            "PUBSMITH_KEYRING": "1",
            **env,
        },
        timeout=120,
        check=False,
    )
    report: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    report["stderr"] = completed.stderr
    return report


def test_a_run_with_a_key_never_loads_the_keyring(sandbox: SandboxFixture, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("keyring\n")
    report = run(
        "publish",
        f"raw:{notes}",
        "-o",
        "version=1",
        "--repo",
        sandbox.repo_slug,
        "--no-wait",
        CLOUDSMITH_API_HOST=sandbox.url,
        CLOUDSMITH_API_KEY=sandbox.api_key,
    )
    assert report["code"] == 0, report["stderr"]
    assert report["keyring"] is False
    assert report["spawned"] == []


def test_a_dry_run_needs_no_key_and_never_loads_the_keyring(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("keyring\n")
    report = run("publish", f"raw:{notes}", "-o", "version=1", "--dry-run")
    assert report["code"] == 0, report["stderr"]
    assert report["keyring"] is False


def test_looking_in_the_keyring_spawns_no_process(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("keyring\n")
    report = run(
        "publish",
        f"raw:{notes}",
        "-o",
        "version=1",
        "--repo",
        "acme/repo",
        CLOUDSMITH_API_HOST="http://127.0.0.1:9",
    )
    # No key anywhere, the keyring included (no backend works here): asked, then refused.
    assert report["keyring"] is True
    assert report["code"] == 2
    assert "no API key" in report["stderr"]
    assert report["spawned"] == []
