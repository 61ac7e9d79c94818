from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from pubsmith import Artifact, ArtifactError, OptionError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_tar

IMAGE = "acme-hello-1.0.0.tar"


@pytest.fixture
def image_path(fixtures_dir: Path) -> Path:
    return fixtures_dir / "docker" / IMAGE


def fixture_manifest(image_path: Path) -> list[dict[str, Any]]:
    with tarfile.open(image_path) as archive:
        member = archive.extractfile("manifest.json")
        assert member is not None
        manifest: list[dict[str, Any]] = json.load(member)
    return manifest


def rewritten(image_path: Path, target: Path, manifest: bytes | None, drop: str = "") -> Path:
    """A copy of the fixture archive with another manifest.json (None: without one)."""
    with tarfile.open(image_path) as source, tarfile.open(target, "w") as copy:
        for member in source:
            if member.name in ("manifest.json", drop):
                continue
            copy.addfile(member, source.extractfile(member) if member.isfile() else None)
        if manifest is not None:
            info = tarfile.TarInfo("manifest.json")
            info.size = len(manifest)
            copy.addfile(info, io.BytesIO(manifest))
    return target


def with_tags(image_path: Path, target: Path, tags: list[str] | None) -> Path:
    manifest = fixture_manifest(image_path)
    manifest[0]["RepoTags"] = tags
    return rewritten(image_path, target, json.dumps(manifest).encode())


@pytest.mark.parametrize(
    ("tag", "name", "version"),
    [
        ("docker.io/library/busybox:1.36", "busybox", "1.36"),
        ("localhost:5000/team/app:2.1.0-rc1", "localhost:5000/team/app", "2.1.0-rc1"),
        ("acme/hello:latest", "acme/hello", "latest"),
    ],
)
def test_tags_split_into_name_and_version(
    registry: FormatRegistry, image_path: Path, tmp_path: Path, tag: str, name: str, version: str
) -> None:
    info = registry.get("docker").read_metadata(
        Artifact(with_tags(image_path, tmp_path / "i.tar", [tag]))
    )
    assert (info.name, info.version) == (name, version)


@pytest.mark.parametrize("tags", [None, []])
def test_image_saved_without_a_tag_is_rejected(
    registry: FormatRegistry, image_path: Path, tmp_path: Path, tags: list[str] | None
) -> None:
    path = with_tags(image_path, tmp_path / "untagged.tar", tags)
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "docker"
    with pytest.raises(ArtifactError, match="saved without a tag; save it as NAME:TAG") as caught:
        plan_package(registry, path)
    assert caught.value.path == path


def test_registry_port_without_tag_is_rejected(
    registry: FormatRegistry, image_path: Path, tmp_path: Path
) -> None:
    path = with_tags(image_path, tmp_path / "i.tar", ["localhost:5000/app"])
    with pytest.raises(ArtifactError, match="tag without a version"):
        registry.get("docker").read_metadata(Artifact(path))


def test_docker_takes_no_options(registry: FormatRegistry, image_path: Path) -> None:
    with pytest.raises(OptionError, match="'version'"):
        plan_package(registry, image_path, options={"version": "2"})


def test_tar_with_another_manifest_json_is_not_claimed(
    registry: FormatRegistry, image_path: Path, tmp_path: Path
) -> None:
    path = rewritten(image_path, tmp_path / "site.tar", b'{"name": "web app", "icons": []}')
    assert registry.get("docker").recognise(Artifact(path)) is Strength.NONE
    with pytest.raises(ArtifactError, match="not a list of images"):
        registry.get("docker").read_metadata(Artifact(path))


def test_oci_layout_archive_is_refused_with_the_fix(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    layout = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}', "index.json": b"{}"}
    path = make_tar(tmp_path / "oci.tar", layout, compress=False)
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "docker"
    with pytest.raises(ArtifactError, match="OCI layout archive.*skopeo copy"):
        plan_package(registry, path)


def test_missing_layer_is_reported(
    registry: FormatRegistry, image_path: Path, tmp_path: Path
) -> None:
    layer = fixture_manifest(image_path)[0]["Layers"][0]
    manifest = json.dumps(fixture_manifest(image_path)).encode()
    path = rewritten(image_path, tmp_path / "i.tar", manifest, drop=layer)
    with pytest.raises(ArtifactError, match=f"incomplete: {layer}, named in manifest.json"):
        registry.get("docker").read_metadata(Artifact(path))


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        (b"[{not json", "manifest.json inside is not valid JSON"),
        (b'[{"RepoTags": ["a:1"]}]', "without Config or Layers"),
    ],
)
def test_bad_manifest_says_what_is_wrong(
    registry: FormatRegistry, image_path: Path, tmp_path: Path, manifest: bytes, problem: str
) -> None:
    path = rewritten(image_path, tmp_path / "i.tar", manifest)
    with pytest.raises(ArtifactError, match=problem):
        registry.get("docker").read_metadata(Artifact(path))


def test_truncated_archive_is_rejected(
    registry: FormatRegistry, image_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / IMAGE
    path.write_bytes(image_path.read_bytes()[:3000])
    with pytest.raises(ArtifactError, match="truncated|corrupt"):
        plan_package(registry, path, format_name="docker")
