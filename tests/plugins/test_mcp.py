from __future__ import annotations

import json
from pathlib import Path

import pytest
from cloudsmith_api.models import McpPackageUploadRequest

from pubsmith import Artifact, ArtifactError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from tests.support.archives import make_zip, truncated_copy
from tests.support.lookalikes import FORMAT_OF, LOOKALIKES, ZIP_LOOKALIKES, lookalike, zip_lookalike

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


def test_fixture_is_detected_as_mcp(registry: FormatRegistry, bundle: Path) -> None:
    assert registry.detect(Artifact(bundle)).PLUGIN_NAME == "mcp"


@pytest.mark.parametrize("kind", sorted(LOOKALIKES))
def test_other_formats_are_not_mcp(registry: FormatRegistry, tmp_path: Path, kind: str) -> None:
    assert registry.get("mcp").recognise(lookalike(tmp_path, kind)) is False


@pytest.mark.parametrize("kind", sorted(ZIP_LOOKALIKES))
def test_only_bundles_among_zips_are_mcp(
    registry: FormatRegistry, tmp_path: Path, kind: str
) -> None:
    assert registry.get("mcp").recognise(zip_lookalike(tmp_path, kind)) is (
        FORMAT_OF[kind] == "mcp"
    )


@pytest.mark.parametrize(
    "content", ['{"name": "x", "version": "1"}', "[1, 2]", "{not json", "plain text\n"]
)
def test_other_json_and_text_files_are_not_mcp(
    registry: FormatRegistry, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "thing.json"
    path.write_text(content)
    assert registry.get("mcp").recognise(Artifact(path)) is False


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


def test_truncated_bundle_is_refused(
    registry: FormatRegistry, tmp_path: Path, bundle: Path
) -> None:
    path = truncated_copy(bundle, tmp_path / bundle.name)
    with pytest.raises(ArtifactError, match="corrupt or truncated zip"):
        registry.inspect(path, "mcp")
