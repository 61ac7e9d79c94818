from __future__ import annotations

import json
import lzma
import shutil
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard
from cloudsmith_api.models import NixPackageUploadRequest

from pubsmith import Artifact, ArtifactError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry


@pytest.fixture
def nix_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "nix"


@pytest.fixture
def nar_xz(nix_dir: Path) -> Path:
    return nix_dir / json.loads((nix_dir / "manifest.json").read_text())["artifacts"][0]["file"]


def nar_string(data: bytes) -> bytes:
    return struct.pack("<Q", len(data)) + data + b"\0" * (-len(data) % 8)


def nar(*tokens: bytes) -> bytes:
    return b"".join(nar_string(token) for token in (b"nix-archive-1", *tokens))


def test_fixture_is_detected_with_its_narinfo(registry: FormatRegistry, nar_xz: Path) -> None:
    assert registry.detect(Artifact(nar_xz)).PLUGIN_NAME == "nix"
    plan = plan_package(registry, nar_xz)
    assert (plan.format, plan.name, plan.version) == ("nix", "acme-hello", "1.0.0")
    request = NixPackageUploadRequest(**plan.preview_payload())
    assert request.narinfo_file.endswith(".narinfo>")
    assert request.version == "1.0.0"


def test_binary_cache_layout_finds_the_narinfo_one_level_up(
    registry: FormatRegistry, nix_dir: Path, nar_xz: Path, tmp_path: Path
) -> None:
    (tmp_path / "nar").mkdir()
    shutil.copy(nar_xz, tmp_path / "nar")
    for narinfo in nix_dir.glob("*.narinfo"):
        shutil.copy(narinfo, tmp_path)
    (tmp_path / "unrelated.narinfo").write_text(
        "StorePath: /nix/store/aaaa-other-2.0\nURL: nar/x.nar\n"
    )
    plan = plan_package(registry, tmp_path / "nar" / nar_xz.name)
    assert (plan.name, plan.version) == ("acme-hello", "1.0.0")
    assert plan.values["narinfo_file"].parent == tmp_path
    assert plan.values["narinfo_file"].name != "unrelated.narinfo"


def test_nar_without_narinfo_takes_the_version_option(
    registry: FormatRegistry, nar_xz: Path, tmp_path: Path
) -> None:
    path = tmp_path / nar_xz.name
    shutil.copy(nar_xz, path)
    assert plan_package(registry, path).preview_payload() == {
        "package_file": f"<upload:{path.name}>"
    }
    given = tmp_path / "elsewhere" / "given.narinfo"
    given.parent.mkdir()
    given.write_text(f"StorePath: /nix/store/{'0' * 32}-acme-hello-1.0.0\nURL: nar/{path.name}\n")
    plan = plan_package(registry, path, options={"narinfo_file": str(given)})
    assert (plan.name, plan.version) == ("acme-hello", "1.0.0")
    plan = plan_package(registry, path, options={"version": "1.0.1", "narinfo_file": str(given)})
    payload = NixPackageUploadRequest(**plan.preview_payload())
    assert (payload.version, payload.narinfo_file) == ("1.0.1", "<upload:given.narinfo>")


def test_a_narinfo_of_another_nar_is_refused(
    registry: FormatRegistry, nar_xz: Path, tmp_path: Path
) -> None:
    path = tmp_path / nar_xz.name
    shutil.copy(nar_xz, path)
    other = tmp_path / "other.narinfo"
    other.write_text("StorePath: /nix/store/x-other-2.0\nURL: nar/other.nar.xz\n")
    with pytest.raises(ArtifactError, match="describes other.nar.xz, not") as caught:
        plan_package(registry, path, options={"narinfo_file": str(other)})
    assert caught.value.path == other


@pytest.mark.parametrize("compress", [lambda data: data, zstandard.ZstdCompressor().compress])
def test_plain_and_zstd_nars_are_read(
    registry: FormatRegistry, nar_xz: Path, tmp_path: Path, compress: Callable[[bytes], bytes]
) -> None:
    path = tmp_path / "store.nar"
    path.write_bytes(compress(lzma.decompress(nar_xz.read_bytes())))
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "nix"
    assert registry.get("nix").read_metadata(Artifact(path)).name is None


def test_truncated_compressed_nar_is_rejected(
    registry: FormatRegistry, nar_xz: Path, tmp_path: Path
) -> None:
    path = tmp_path / nar_xz.name
    path.write_bytes(nar_xz.read_bytes()[:-40])
    with pytest.raises(ArtifactError, match="corrupt compressed NAR|truncated") as caught:
        plan_package(registry, path, format_name="nix")
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (nar(b"(", b"type", b"regular", b"contents")[:-3], "truncated Nix archive"),
        (nar(b"(", b"type", b"fifo", b")"), "unknown node type b'fifo'"),
        (
            nar(b"(", b"type", b"directory", b"entry", b"(", b"name", b"a", b"nodes"),
            "expected b'node'",
        ),
        (nar(b"(", b"type", b"symlink", b"target", b"/x", b")", b"extra"), "data after the end"),
        (b"plain text, not an archive\n" * 2, "not a Nix archive"),
    ],
)
def test_corrupt_nars_say_what_is_wrong(
    registry: FormatRegistry, tmp_path: Path, data: bytes, problem: str
) -> None:
    path = tmp_path / "bad.nar"
    path.write_bytes(data)
    with pytest.raises(ArtifactError, match=problem):
        registry.get("nix").read_metadata(Artifact(path))
