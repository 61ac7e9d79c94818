"""The ``pubsmith`` command holds garbage collection through start-up, and only in its own process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

_PROBE = """
import gc, json, sys
from pubsmith.cli import collector, main
seen = {{}}
held = collector.collect_from_now_on
def watch():
    seen.setdefault("held_at_start_up_end", not gc.isenabled())
    held()
import pubsmith.cli, pubsmith.cli.publish
pubsmith.cli.collect_from_now_on = watch
pubsmith.cli.publish.collect_from_now_on = watch
sys.argv = ["pubsmith", *{argv!r}]
try:
    main({call})
except SystemExit:
    pass
seen.update(enabled=gc.isenabled(), frozen=gc.get_freeze_count())
print(json.dumps(seen))
"""


def _probe(argv: list[str], *, owned: bool) -> dict[str, object]:
    code = _PROBE.format(argv=argv, call="" if owned else repr(argv))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


@pytest.fixture
def notes(tmp_path: Path) -> str:
    path = tmp_path / "notes.txt"
    path.write_text("notes")
    return f"raw:{path}"


def test_the_command_collects_nothing_until_start_up_is_over_then_freezes_it(notes: str) -> None:
    report = _probe(["publish", notes, "-o", "version=1", "--dry-run"], owned=True)
    assert report["held_at_start_up_end"] is True
    assert report["enabled"] is True
    assert isinstance(report["frozen"], int) and report["frozen"] > 10_000


def test_main_called_with_arguments_leaves_the_callers_collector_alone(notes: str) -> None:
    report = _probe(["publish", notes, "-o", "version=1", "--dry-run"], owned=False)
    assert report["held_at_start_up_end"] is False
    assert report == {"held_at_start_up_end": False, "enabled": True, "frozen": 0}


def test_other_commands_collect_again_once_loaded() -> None:
    report = _probe(["formats"], owned=True)
    assert report["held_at_start_up_end"] is True
    assert report["enabled"] is True
