"""``pubsmith --version`` answers without loading what only publishing needs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pubsmith_sandbox.pytest_plugin import SandboxFixture

# Everything start-up must not touch: the HTTP stack, the plugin machinery, the format
# plugins, the sandbox server and the progress display (rich above all).
HEAVY = (
    "httpx",
    "pluggy",
    "rich",
    "pubsmith_formats",
    "pubsmith_sandbox",
    "pubsmith.cli.output",
    "pubsmith.cli.live",
    "pubsmith.registry",
    "pubsmith.client",
    "pubsmith.publishing",
)

_RUN_ONLY = (
    "httpx",
    "rich",
    "pluggy",
    "pubsmith_formats",
    "pubsmith_sandbox.runner",
    "pubsmith_sandbox.server",
    "pubsmith.registry",
    "pubsmith.client",
)

_PROBE = """
import json, sys
from pubsmith.cli import main
code = 0
try:
    main({argv!r})
except SystemExit as exc:
    code = exc.code
# A None entry is a module declined, not loaded.
loaded = sorted(name for name, module in sys.modules.items() if module is not None)
print(json.dumps({{"code": code, "modules": loaded}}))
"""


def loaded_modules(*argv: str) -> tuple[str, set[str]]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(argv=list(argv))],
        capture_output=True,
        text=True,
        check=True,
    )
    *printed, last = result.stdout.strip().splitlines()
    report = json.loads(last)
    assert report["code"] in (0, None), result.stderr
    return "\n".join(printed), set(report["modules"])


def heavy_in(modules: set[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


def test_version_imports_nothing_heavy() -> None:
    output, modules = loaded_modules("--version")
    assert output.startswith("pubsmith ")
    assert heavy_in(modules) == []


@pytest.mark.parametrize("argv", [("--help",), ("publish", "--help")])
def test_help_loads_no_http_stack_plugins_or_server(argv: tuple[str, ...]) -> None:
    # Help lists every command, so their modules load, but nothing they only run.
    output, modules = loaded_modules(*argv)
    assert "publish" in output
    assert heavy_in(modules, _RUN_ONLY) == []


def test_probe_sees_heavy_modules_when_they_are_loaded() -> None:
    # Guards the probe itself: listing the formats does load the plugins.
    _, modules = loaded_modules("formats")
    assert "pluggy" in heavy_in(modules)
    assert any(m.startswith("pubsmith_formats") for m in modules)


def test_the_terminal_display_is_loaded_only_for_a_terminal(tmp_path: Path) -> None:
    # A dry run through a pipe shows plain lines: the rich display stays unloaded. (httpx
    # imports rich for its own command line when it can, once a run needs httpx.)
    notes = tmp_path / "notes.txt"
    notes.write_text("notes")
    _, modules = loaded_modules("publish", f"raw:{notes}", "--dry-run")
    assert "pubsmith.cli.output" in modules
    assert "pubsmith.cli.live" not in modules


@pytest.mark.e2e
def test_a_run_through_a_pipe_loads_neither_rich_nor_pygments(
    sandbox: SandboxFixture, tmp_path: Path
) -> None:
    # httpx imports its own command line, rich's syntax highlighting and pygments with it,
    # whenever they are installed; the pubsmith command declines that module.
    notes = tmp_path / "notes.txt"
    notes.write_text("notes")
    _, modules = loaded_modules(
        "publish", f"raw:{notes}", "-o", "version=1", "--repo", sandbox.repo_slug,
        "--api-url", sandbox.url, "--api-key", sandbox.api_key,
    )  # fmt: skip
    assert "httpx" in modules  # it did publish
    assert heavy_in(modules, ("rich", "pygments")) == []
