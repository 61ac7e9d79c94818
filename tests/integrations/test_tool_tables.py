"""The plugins' shared part, without the tools: tables, artifacts, entry points."""

from __future__ import annotations

import os
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from pubsmith.config import Source
from pubsmith.errors import ConfigError
from pubsmith.integrations._tool import ToolTable, dist_files
from pubsmith.integrations.hatch import hatch_publish
from pubsmith_sandbox.pytest_plugin import SandboxFixture
from tests.support.tools import KEY, STAGING_AND_PROD, python_project


def test_the_plugins_are_registered_where_hatch_and_poetry_look() -> None:
    hatch = {ep.name: ep.value for ep in entry_points(group="hatch")}
    poetry = {ep.name: ep.value for ep in entry_points(group="poetry.application.plugin")}
    assert hatch["cloudsmith"] == "pubsmith.integrations.hatch"
    assert poetry["cloudsmith"] == "pubsmith.integrations.poetry:CloudsmithPlugin"


def test_a_table_splits_into_settings_and_run_options() -> None:
    layer, run = ToolTable(
        Source("t"),
        {"url": "https://x", "repo": "a/b", "skip_existing": True, "promote-to": "prod"},
    ).split()
    assert dict(layer.values) == {"api-url": "https://x", "repo": "a/b"}
    assert run == {"skip-existing": True, "promote-to": "prod"}
    with pytest.raises(ConfigError, match="t: unknown setting 'colour'; known: "):
        ToolTable(Source("t"), {"colour": "blue"}).split()


def test_dist_files_takes_wheels_and_sdists_from_directories(tmp_path: Path) -> None:
    root = python_project(tmp_path / "app")
    (root / "dist" / "notes.txt").write_text("not an artifact")
    found = dist_files(["dist"], root)
    assert [path.name for path in found] == [
        "acme_greeting-1.2.0-py3-none-any.whl",
        "acme_greeting-1.2.0.tar.gz",
    ]
    assert dist_files(["dist/notes.txt"], root) == [root / "dist" / "notes.txt"]


@STAGING_AND_PROD
def test_hatch_publish_in_process(sandbox: SandboxFixture, tmp_path: Path) -> None:
    root = python_project(tmp_path / "app")
    # os.environ holds the conftest's private config paths; keep them.
    env = {**os.environ, "CLOUDSMITH_API_HOST": sandbox.url, "CLOUDSMITH_API_KEY": KEY}
    results = hatch_publish(
        root,
        [],
        {"no_prompt": False, "initialize_auth": False, "wait": "false"},
        {"repo": "acme/staging", "disable": False},
        {"tags": ["from-user"]},
        environ=env,
    )
    assert [result.status for result in results] == ["published", "published"]
    assert results[0].payload is not None and results[0].payload["tags"] == "from-user"


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"wait-timeout": "soon"}, "wait-timeout must be a number above 0"),
        ({"wait": "maybe"}, "wait must be true or false"),
        ({"repo": "nope"}, "hatch -o repo must be OWNER/REPO"),
    ],
)
def test_bad_tool_options_are_config_errors(
    tmp_path: Path, options: dict[str, str], fragment: str
) -> None:
    root = python_project(tmp_path / "app")
    with pytest.raises(ConfigError, match=fragment):
        hatch_publish(
            root, [], {"repo": "acme/staging", **options}, {}, {}, environ=dict(os.environ)
        )
