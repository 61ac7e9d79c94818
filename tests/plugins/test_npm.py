from __future__ import annotations

import json
from pathlib import Path

import pytest
from cloudsmith_api.models import NpmPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_tar
from tests.support.cli import invoke


@pytest.fixture
def package(fixtures_dir: Path) -> Path:
    return fixtures_dir / "npm" / "acme-greeting-2.1.0.tgz"


def test_react_native_package_with_podspec_is_npm_only(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = make_tar(
        tmp_path / "rn.tgz",
        {
            "package/package.json": '{"name": "react-native-thing", "version": "0.1.0"}',
            "package/RNThing.podspec": "Pod::Spec.new do |s|\nend\n",
        },
    )
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "npm"


def test_scoped_name_and_version_come_from_package_json(
    registry: FormatRegistry, package: Path
) -> None:
    plan = plan_package(registry, package)
    assert (plan.format, plan.name, plan.version) == ("npm", "@acme/greeting", "2.1.0")


def test_payload_is_accepted_by_the_official_binding(
    registry: FormatRegistry, package: Path
) -> None:
    payload = plan_package(registry, package, tags=["fixture"]).preview_payload()
    request = NpmPackageUploadRequest(**payload)
    assert request.package_file == "<upload:acme-greeting-2.1.0.tgz>"
    assert "npm_dist_tag" not in payload
    assert request.npm_dist_tag == "latest"  # the binding's default when none is sent
    assert request.tags == "fixture"


def test_dist_tag_option_reaches_the_payload(registry: FormatRegistry, package: Path) -> None:
    payload = plan_package(registry, package, options={"npm_dist_tag": "next"}).preview_payload()
    assert NpmPackageUploadRequest(**payload).npm_dist_tag == "next"


def test_unknown_option_is_refused_by_name(registry: FormatRegistry, package: Path) -> None:
    with pytest.raises(OptionError, match="option 'distribution'") as caught:
        plan_package(registry, package, options={"distribution": "any"})
    assert caught.value.key == "distribution"


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ({"notes/readme.txt": "hi"}, "has no package/package.json"),
        ({"package/package.json": "{not json"}, "package/package.json inside is not valid JSON"),
        ({"package/package.json": '["a"]'}, "is not a JSON object"),
        ({"package/package.json": '{"name": "x"}'}, "package/package.json inside has no version"),
        (
            {"package/package.json": '{"version": "1.0.0"}'},
            "package/package.json inside has no name",
        ),
    ],
)
def test_broken_package_json_is_an_artifact_error(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str], problem: str
) -> None:
    path = make_tar(tmp_path / "broken.tgz", members)
    with pytest.raises(ArtifactError, match=problem) as caught:
        registry.inspect(path, "npm")
    assert caught.value.path == path


def test_a_text_file_is_not_an_npm_package(registry: FormatRegistry, tmp_path: Path) -> None:
    path = tmp_path / "notes.tgz"
    path.write_text("just text\n")
    with pytest.raises(ArtifactError, match="not a tar archive"):
        registry.inspect(path, "npm")


def types_tarball(path: Path, folder: str, manifest: dict[str, object], files: list[str]) -> Path:
    """A tarball laid out as DefinitelyTyped publishes @types packages: no package/ folder,
    everything under a folder named after the package, no directory entries."""
    members: dict[str, str | bytes] = {f"{folder}/{name}": f"// {name}\n" for name in files}
    members[f"{folder}/package.json"] = json.dumps(manifest, indent=4)
    return make_tar(path, members)


TYPES_MS = {
    "name": "@types/ms",
    "version": "0.7.34",
    "description": "TypeScript definitions for ms",
    "license": "MIT",
    "main": "",
    "types": "index.d.ts",
    "typesPublisherContentHash": "1cd2e2b1d9b4d5c4fe0ab67a8c5b2d1f4a2c9f3b0a6e7d8c9b0a1f2e3d4c5b6a",
    "typeScriptVersion": "4.5",
}
TYPES_SEMVER = {**TYPES_MS, "name": "@types/semver", "version": "7.5.8"}
SEMVER_FILES = [
    "LICENSE",
    "README.md",
    "index.d.ts",
    "classes/comparator.d.ts",
    "classes/range.d.ts",
    "classes/semver.d.ts",
    "functions/clean.d.ts",
    "functions/satisfies.d.ts",
    "internals/identifiers.d.ts",
    "ranges/valid.d.ts",
]


@pytest.mark.parametrize(
    ("filename", "folder", "manifest", "files"),
    [
        ("types-ms-0.7.34.tgz", "ms", TYPES_MS, ["LICENSE", "README.md", "index.d.ts"]),
        ("types-semver-7.5.8.tgz", "semver", TYPES_SEMVER, SEMVER_FILES),
    ],
)
def test_types_packages_under_a_folder_named_after_them_are_npm(
    registry: FormatRegistry,
    tmp_path: Path,
    filename: str,
    folder: str,
    manifest: dict[str, str],
    files: list[str],
) -> None:
    path = types_tarball(tmp_path / filename, folder, manifest, files)
    # Any project's tarball may keep a package.json in its one folder: the weakest claim.
    assert registry.get("npm").recognise(Artifact(path)) is Strength.FALLBACK
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "npm"
    for format_name in (None, "npm"):
        plan = plan_package(registry, path, format_name=format_name)
        assert (plan.format, plan.name, plan.version) == (
            "npm",
            manifest["name"],
            manifest["version"],
        )


def test_types_package_is_accepted_through_the_cli_prefix(tmp_path: Path) -> None:
    path = types_tarball(tmp_path / "types-ms-0.7.34.tgz", "ms", TYPES_MS, ["index.d.ts"])
    env = {"CLOUDSMITH_API_HOST": "http://127.0.0.1:9", "CLOUDSMITH_API_KEY": "k"}
    for argument in (str(path), f"npm:{path}"):
        result = invoke("publish", "--dry-run", "--repo", "a/b", argument, env=env)
        assert result.exit_code == 0, result.stderr
        assert "[npm @types/ms 0.7.34]" in result.stderr


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        # Other formats' tarballs also keep everything in one folder, some with a
        # package.json beside their own marker: theirs wins.
        (
            {
                "chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
                "chart/package.json": "{}",
            },
            "helm",
        ),
        (
            {
                "crab-0.1.0/Cargo.toml": '[package]\nname = "crab"\nversion = "0.1.0"\n',
                "crab-0.1.0/Cargo.toml.orig": "",
                "crab-0.1.0/package.json": '{"name": "crab", "version": "0.1.0"}',
            },
            "cargo",
        ),
        (
            {
                "thing-1.0/PKG-INFO": "Metadata-Version: 2.1\nName: thing\nVersion: 1.0\n",
                "thing-1.0/package.json": '{"name": "thing", "version": "1.0.0"}',
            },
            "python",
        ),
        (
            {"web/main.tf": "", "web/package.json": '{"name": "web", "version": "1.0.0"}'},
            "terraform",
        ),
        (
            {
                "Pod/Pod.podspec": "Pod::Spec.new do |s|\n  s.name = 'Pod'\nend\n",
                "Pod/package.json": '{"name": "pod", "version": "1.0.0"}',
            },
            "cocoapods",
        ),
    ],
)
def test_a_single_folder_with_another_formats_marker_stays_that_format(
    registry: FormatRegistry, tmp_path: Path, members: dict[str, str], expected: str
) -> None:
    path = make_tar(tmp_path / "one-folder.tgz", members)
    assert expected == registry.detect(Artifact(path)).PLUGIN_NAME


def test_package_json_outside_one_top_folder_is_not_npm(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    two_folders = make_tar(
        tmp_path / "two.tgz", {"a/package.json": '{"name": "a", "version": "1.0.0"}', "b/x": ""}
    )
    at_root = make_tar(tmp_path / "root.tgz", {"package.json": '{"name": "r", "version": "1.0.0"}'})
    for path in (two_folders, at_root):
        assert not registry.get("npm").recognise(Artifact(path))
        with pytest.raises(ArtifactError, match="has no package/package.json"):
            registry.inspect(path, "npm")
