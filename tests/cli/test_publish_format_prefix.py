"""``pubsmith publish FORMAT:FILE``: one call publishes files no format recognises beside the rest."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import invoke

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
WHEEL = FIXTURES / "python" / "acme_greeting-1.2.0-py3-none-any.whl"
NOTES = FIXTURES / "raw" / "release-notes.txt"
TOOL = FIXTURES / "generic" / "acme-hello-1.0.0.sh"


def dry_run(*args: str) -> tuple[int, str, str]:
    # No server exists at this address: a dry run must not need one.
    env = {"CLOUDSMITH_API_HOST": "http://127.0.0.1:9"}
    result = invoke("publish", "--dry-run", *args, env=env)
    return result.exit_code, result.stdout, result.stderr


def test_each_file_may_name_its_format_and_results_show_its_path() -> None:
    code, out, err = dry_run(
        "--json",
        "--format",
        "python",
        str(WHEEL),
        f"raw:{NOTES}",
        f"Generic:{TOOL}",
        "-o",
        "raw.version=2.0.1",
        "-o",
        "generic.version=1.0.0",
        "-o",
        "generic.filepath=tools/x.sh",
    )
    assert code == 0, err
    assert [(r["file"], r["format"], r["version"]) for r in json.loads(out)] == [
        (str(WHEEL), "python", "1.2.0"),
        (str(NOTES), "raw", "2.0.1"),
        (str(TOOL), "generic", "1.0.0"),
    ]


def test_human_dry_run_names_the_path_without_its_format() -> None:
    code, _, err = dry_run(f"raw:{NOTES}", "-o", "version=1")
    assert code == 0, err
    assert f"planned    {NOTES}  [raw release-notes.txt 1]" in err
    assert "raw:" not in err


def test_help_explains_format_prefixes() -> None:
    result = invoke("publish", "--help")
    assert "FORMAT:FILE" in result.stdout
    assert "raw:notes.txt" in result.stdout
