"""The fixture catalogue as one call sees it; test_conformance checks each fixture with the kit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures"))
from catalog import load_catalog, publish_arguments

CATALOG = load_catalog()


def test_dry_run_json_of_every_fixture_in_one_call_contacts_no_server(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "CLOUDSMITH_API_HOST": "http://127.0.0.1:9",
        "HOME": str(tmp_path),
    }
    arguments = publish_arguments(CATALOG)
    assert "--format" not in arguments  # undetectable fixtures carry theirs as FORMAT:PATH
    completed = subprocess.run(
        [sys.executable, "-m", "pubsmith", "publish", "--dry-run", "--json", *arguments],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    results = json.loads(completed.stdout)
    got = {(r["file"], r["format"], r["name"], r["version"], r["status"]) for r in results}
    want = {(str(f.path), f.format, f.name, f.version, "planned") for f in CATALOG}
    assert got == want
