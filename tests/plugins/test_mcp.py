from __future__ import annotations

import json
from pathlib import Path

import pytest
from cloudsmith_api.models import McpPackageUploadRequest

from pubsmith import Artifact, ArtifactError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_zip

SERVER_JSON = {
    "$schema": "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json",
    "name": "io.github.acme/greeting",
    "description": "Says hello.",
    "version": "1.3.0",
    "packages": [{"registryType": "npm", "identifier": "@acme/greeting", "version": "1.3.0"}],
}


@pytest.fixture
def bundle(fixtures_dir: Path) -> Path:
    return fixtures_dir / "mcp" / "acme-greeting-0.2.0.mcpb"


@pytest.mark.parametrize(
    "content", ['{"name": "x", "version": "1"}', "[1, 2]", "{not json", "plain text\n"]
)
def test_other_json_and_text_files_are_not_mcp(
    registry: FormatRegistry, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "thing.json"
    path.write_text(content)
    assert registry.get("mcp").recognise(Artifact(path)) is Strength.NONE


def test_manifest_gives_name_and_version(registry: FormatRegistry, bundle: Path) -> None:
    plan = plan_package(registry, bundle)
    assert (plan.format, plan.name, plan.version) == ("mcp", "acme-greeting", "0.2.0")


def test_registry_server_json_is_mcp(registry: FormatRegistry, tmp_path: Path) -> None:
    path = tmp_path / "server.json"
    path.write_text(json.dumps(SERVER_JSON))
    plan = plan_package(registry, path)
    assert (plan.format, plan.name, plan.version) == ("mcp", "io.github.acme/greeting", "1.3.0")


def test_payload_is_accepted_by_the_official_binding(
    registry: FormatRegistry, bundle: Path
) -> None:
    request = McpPackageUploadRequest(**plan_package(registry, bundle).preview_payload())
    assert request.package_file == "<upload:acme-greeting-0.2.0.mcpb>"
    assert request.version == "0.2.0"


def test_version_option_overrides_the_manifest(registry: FormatRegistry, bundle: Path) -> None:
    payload = plan_package(registry, bundle, options={"version": "0.2.1"}).preview_payload()
    assert McpPackageUploadRequest(**payload).version == "0.2.1"


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({"manifest.json": '{"name": "x", "server": {}}'}, "manifest.json inside has no version"),
        ({"manifest.json": '{"name": "x", "version": "1"}'}, "has no server section"),
        ({"manifest.json": '{"name": '}, "manifest.json inside is not valid JSON"),
        ({"server/index.js": ""}, "is not an MCP Bundle: it has no manifest.json"),
    ],
)
def test_broken_bundle_is_refused(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str], problem: str
) -> None:
    path = make_zip(tmp_path / "x.mcpb", members)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "mcp")
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{broken", "is not valid JSON"),
        (
            json.dumps({**SERVER_JSON, "$schema": "https://example.com/x.json"}),
            "no registry \\$schema",
        ),
        (json.dumps({k: v for k, v in SERVER_JSON.items() if k != "version"}), "has no version"),
    ],
)
def test_broken_server_json_is_refused(
    registry: FormatRegistry, tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "server.json"
    path.write_text(content)
    with pytest.raises(ArtifactError, match=problem):
        registry.inspect(path, "mcp")
