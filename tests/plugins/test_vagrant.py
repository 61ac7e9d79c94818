from __future__ import annotations

from pathlib import Path

import pytest
from cloudsmith_api.models import VagrantPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_tar

BOX = "acme-tiny-1.0.0.box"
NAMED = {"name": "acme-tiny", "version": "1.0.0"}


@pytest.fixture
def box_path(fixtures_dir: Path) -> Path:
    return fixtures_dir / "vagrant" / BOX


def test_provider_from_the_box_and_name_and_version_from_options(
    registry: FormatRegistry, box_path: Path
) -> None:
    plan = plan_package(registry, box_path, options=NAMED)
    assert (plan.format, plan.name, plan.version) == ("vagrant", "acme-tiny", "1.0.0")
    request = VagrantPackageUploadRequest(**plan.preview_payload())
    assert (request.name, request.version, request.provider) == ("acme-tiny", "1.0.0", "libvirt")


def test_provider_option_overrides_the_box(registry: FormatRegistry, box_path: Path) -> None:
    plan = plan_package(registry, box_path, options={**NAMED, "provider": "qemu"})
    assert plan.preview_payload()["provider"] == "qemu"


@pytest.mark.parametrize("missing", ["name", "version"])
def test_name_and_version_are_required(
    registry: FormatRegistry, box_path: Path, missing: str
) -> None:
    options = {key: value for key, value in NAMED.items() if key != missing}
    with pytest.raises(OptionError, match=f"-o {missing}=") as caught:
        plan_package(registry, box_path, options=options)
    assert caught.value.key == missing


def test_uncompressed_box_is_read(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_tar(
        tmp_path / "plain.box",
        {"metadata.json": b'{"provider": "virtualbox"}', "box.ovf": b"<x/>"},
        compress=False,
    )
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "vagrant"
    assert registry.get("vagrant").read_metadata(Artifact(path)).fields == {
        "provider": "virtualbox"
    }


def test_nested_metadata_json_is_not_a_box(registry: FormatRegistry, tmp_path: Path) -> None:
    path = make_tar(tmp_path / "site.tar.gz", {"site/metadata.json": b'{"provider": "x"}'})
    assert registry.get("vagrant").recognise(Artifact(path)) is Strength.NONE


@pytest.mark.parametrize(
    ("metadata", "problem"),
    [
        (b'{"format": "qcow2"}', 'without "provider"'),
        (b"provider: libvirt", "metadata.json inside is not valid JSON"),
        (b'["libvirt"]', 'without "provider"'),
    ],
)
def test_bad_metadata_says_what_is_wrong(
    registry: FormatRegistry, tmp_path: Path, metadata: bytes, problem: str
) -> None:
    path = make_tar(tmp_path / "bad.box", {"./metadata.json": metadata})
    assert registry.get("vagrant").recognise(Artifact(path)) is Strength.NONE
    with pytest.raises(ArtifactError, match=problem):
        plan_package(registry, path, format_name="vagrant", options=NAMED)


def test_corrupt_box_is_rejected(registry: FormatRegistry, box_path: Path, tmp_path: Path) -> None:
    path = tmp_path / BOX
    path.write_bytes(box_path.read_bytes()[:300])
    with pytest.raises(ArtifactError, match="corrupt|truncated") as caught:
        plan_package(registry, path, format_name="vagrant", options=NAMED)
    assert caught.value.path == path


def test_text_file_forced_as_vagrant_is_rejected(
    registry: FormatRegistry, fixtures_dir: Path
) -> None:
    with pytest.raises(ArtifactError, match="not a Vagrant box"):
        plan_package(
            registry,
            fixtures_dir / "raw" / "release-notes.txt",
            format_name="vagrant",
            options=NAMED,
        )
