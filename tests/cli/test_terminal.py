"""``pubsmith publish`` on a real pseudo-terminal: what a person at a terminal sees.

The assertions are on the rendered output, never on how long anything took.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import Env
from tests.support.terminal import on_a_terminal

MIB = 1024 * 1024
ESC = "\x1b"

pytestmark = pytest.mark.e2e


def publish_on_a_terminal(
    sandbox: SandboxFixture, path: Path, *args: str, **env: str
) -> tuple[int, str]:
    command = ["publish", f"raw:{path}", "-o", "version=1", "--repo", sandbox.repo_slug, *args]
    environ: Env = {
        "CLOUDSMITH_API_HOST": sandbox.url,
        "CLOUDSMITH_API_KEY": sandbox.api_key,
        # Only what the test sets decides colour, none of the developer's own settings.
        "NO_COLOR": None,
        "FORCE_COLOR": None,
        "TERM": None,
        "COLUMNS": "120",
        **env,
    }
    code, _, screen = on_a_terminal(command, environ)
    return code, screen


@pytest.mark.slow
def test_a_300_mib_upload_shows_bytes_and_a_rate_on_a_terminal(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as handle:
        handle.truncate(300 * MIB)
    code, screen = publish_on_a_terminal(sandbox, big, TERM="xterm-256color")
    assert code == 0, screen
    assert re.search(r"\d+\.\d/314\.6 MB", screen), screen[-2000:]  # bytes sent of the total
    assert re.search(r"\d+\.\d (MB|MiB)/s", screen), screen[-2000:]  # the rate
    assert "big.bin" in screen and "pubsmith: 0 of 1 done, 1 in flight" in screen
    # Its result, named as the package commands take it, stays on the screen at the end.
    assert re.search(
        rf"published\s+{re.escape(str(big))}\s+\[raw big.bin 1\]\s+acme/sandbox/\w+", screen
    )
    assert screen.rstrip().endswith("1 file: 1 published")


def test_no_color_keeps_the_bars_and_drops_the_colours(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("some notes")
    code, screen = publish_on_a_terminal(sandbox, notes, TERM="xterm-256color", NO_COLOR="1")
    assert code == 0, screen
    assert "\x1b[2K" in screen  # still a live display
    assert not re.search(r"\x1b\[[0-9;]*3\dm", screen)  # but no foreground colour
    code, screen = publish_on_a_terminal(sandbox, notes, TERM="xterm-256color")
    assert re.search(r"\x1b\[[0-9;]*3\dm", screen)  # which it has otherwise


def test_term_dumb_gets_plain_lines_and_no_escape_codes(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("some notes")
    code, screen = publish_on_a_terminal(sandbox, notes, "-v", TERM="dumb")
    assert code == 0, screen
    assert ESC not in screen
    lines = screen.splitlines()
    assert any(line.startswith("uploading  ") for line in lines)
    # -v log lines are lines of their own, never glued to progress.
    assert any(re.match(r"^\S+ \S+ pubsmith\.http INFO POST ", line) for line in lines)
    assert any(line.startswith("published  ") for line in lines)
