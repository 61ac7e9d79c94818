"""Text from artifacts and servers cannot act on a terminal or forge a line of output.

A real ``pubsmith`` publishes an npm package whose name holds a newline that starts a fake
``error:`` line, a screen clear and a window-title (OSC) sequence, on a pseudo-terminal and
through a pipe as CI logs see it; a loopback server answers statuses and errors holding
the same. Every such character must come out escaped, and ``--json`` keep exact values.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pubsmith.testing import make_tar
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.cli import error_lines, pubsmith
from tests.support.loopback import Answer, Seen, serving
from tests.support.terminal import on_a_terminal

HOSTILE_NAME = "evil\nerror: forged line\x1b[2J\x1b]0;pwned\x07\x08\x00"
HOSTILE_VERSION = "1.0.0\x1b[31m"
RAW = ("\nerror: forged", "\x1b[2J", "\x1b]0;", "\x07", "\x08", "\x00", "\x1b[31m")
SHOWN = "evil\\nerror: forged line\\x1b[2J\\x1b]0;pwned\\x07\\x08\\x00"

# Every test runs pubsmith as its own process, on a terminal or through a pipe.
pytestmark = pytest.mark.e2e


@pytest.fixture
def hostile_npm(tmp_path: Path) -> Path:
    manifest = json.dumps({"name": HOSTILE_NAME, "version": HOSTILE_VERSION})
    return make_tar(tmp_path / "evil-1.0.0.tgz", {"package/package.json": manifest})


def environment(sandbox: SandboxFixture) -> dict[str, str]:
    return api_environment(sandbox.url, sandbox.api_key)


def api_environment(url: str, key: str = "hostile-key") -> dict[str, str]:
    return {"CLOUDSMITH_API_HOST": url, "CLOUDSMITH_API_KEY": key}


# What the live display itself sends a terminal without colour: cursor up, line erase,
# cursor hide and show, bold and reset. Anything else with an ESC came from elsewhere.
_DISPLAY_OWN = re.compile(r"\x1b\[(\?25[lh]|\d*A|2K|[01]?m)")


def assert_shown_not_acted_on(text: str) -> None:
    for sequence in RAW:
        assert sequence not in text, repr(text)
    assert SHOWN in text


def test_a_hostile_npm_name_on_a_terminal_is_shown_escaped(
    sandbox: SandboxFixture, hostile_npm: Path
) -> None:
    args = ["publish", str(hostile_npm), "--repo", sandbox.repo_slug, "--json"]
    # Without colour, so that the display's own SGR codes cannot hide the artifact's.
    env = {**environment(sandbox), "NO_COLOR": "1", "TERM": "xterm"}
    code, stdout, screen = on_a_terminal(args, env)
    assert code == 0, screen
    # The live display's own sequences are the only ones that reach the terminal.
    assert "\x1b" not in _DISPLAY_OWN.sub("", screen), repr(screen)
    assert_shown_not_acted_on(screen)
    [result] = json.loads(stdout)
    assert (result["name"], result["version"]) == (HOSTILE_NAME, HOSTILE_VERSION)


def test_a_hostile_npm_name_in_a_ci_log_is_one_escaped_line(
    sandbox: SandboxFixture, hostile_npm: Path
) -> None:
    completed = pubsmith(
        "publish", str(hostile_npm), "-v", "--repo", sandbox.repo_slug, env=environment(sandbox)
    )
    assert completed.returncode == 0, completed.stderr
    assert_shown_not_acted_on(completed.stderr)
    assert not error_lines(completed.stderr)
    [published] = [line for line in completed.stderr.splitlines() if line.startswith("published")]
    assert f"[npm {SHOWN} 1.0.0\\x1b[31m]" in published


def test_a_hostile_dry_run_plan_is_one_escaped_line(hostile_npm: Path) -> None:
    completed = pubsmith("publish", str(hostile_npm), "--dry-run")
    assert completed.returncode == 0, completed.stderr
    assert_shown_not_acted_on(completed.stderr)
    assert len(completed.stderr.splitlines()) == 3  # the plan, its payload and the count


HOSTILE_STATUS = {
    "status_str": "Failed\x1b[2J",
    "stage_str": "Fully Synchronised\x1b]0;pwned\x07",
    "status_reason": "bad package\nerror: forged line\x08\x00\u202etxt.exe",
    "is_sync_failed": True,
    "is_sync_completed": False,
}


def hostile_server(seen: Seen) -> Answer:
    if seen.path.endswith("/status/"):
        return 200, {"Content-Type": "application/json"}, json.dumps(HOSTILE_STATUS).encode()
    detail = {"detail": "no\nerror: forged\x1b[2J", "fields": {"tags\x1b]0;x\x07": ["bad\x07"]}}
    return 400, {"Content-Type": "application/json"}, json.dumps(detail).encode()


STATUS_RAW = ("\x1b[2J", "\x1b]0;", "\x07", "\x08", "\x00", "\u202e", "\nerror: forged")


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "pipe"])
def test_a_server_status_with_control_characters_is_shown_escaped(terminal: bool) -> None:
    with serving(hostile_server) as server:
        args = ["status", "acme/repo/slug1"]
        env = api_environment(server.url)
        if terminal:
            code, shown, screen = on_a_terminal(args, env)
            shown += screen
        else:
            completed = pubsmith(*args, env=env)
            code, shown = completed.returncode, completed.stdout + completed.stderr
        as_json = pubsmith(*args, "--json", env=env)
    assert code == 1
    for sequence in STATUS_RAW:
        assert sequence not in shown, repr(shown)
    assert len(shown.strip().splitlines()) == 1
    assert "Failed\\x1b[2J (Fully Synchronised\\x1b]0;pwned\\x07)" in shown
    assert "bad package error: forged line\\x08\\x00\\u202etxt.exe" in shown
    assert json.loads(as_json.stdout) == HOSTILE_STATUS  # exact, JSON-escaped


def test_a_server_error_with_control_characters_is_one_escaped_line() -> None:
    with serving(hostile_server) as server:
        completed = pubsmith(
            "tag", "acme/repo/slug1", "--add", "x", env=api_environment(server.url)
        )
    assert completed.returncode == 1
    for sequence in STATUS_RAW:
        assert sequence not in completed.stderr, repr(completed.stderr)
    [line] = completed.stderr.splitlines()
    assert line.startswith("error: tag package slug1 in acme/repo failed (HTTP 400)")
    assert "no error: forged\\x1b[2J" in line and "tags\\x1b]0;x\\x07: bad\\x07" in line
