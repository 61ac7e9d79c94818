from __future__ import annotations

import gzip
import tarfile
import zipfile
from pathlib import Path

import pytest
from cloudsmith_api.models import AlpinePackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_tar

APK = "acme-hello-1.0.0-r1.apk"


@pytest.fixture
def apk_path(fixtures_dir: Path) -> Path:
    return fixtures_dir / "alpine" / APK


def tar_segment(name: str, data: bytes) -> bytes:
    """One tar member without the end-of-archive blocks, as abuild writes each part."""
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info.tobuf(tarfile.USTAR_FORMAT) + data + b"\0" * (-len(data) % 512)


def test_signed_package_with_three_streams_is_read(
    registry: FormatRegistry, apk_path: Path, tmp_path: Path
) -> None:
    signature = gzip.compress(tar_segment(".SIGN.RSA.builder-6543210.rsa.pub", b"\x01" * 64))
    path = tmp_path / APK
    path.write_bytes(signature + apk_path.read_bytes())
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "alpine"
    info = registry.get("alpine").read_metadata(Artifact(path))
    assert (info.name, info.version) == ("acme-hello", "1.0.0-r1")


def test_metadata_and_payload(registry: FormatRegistry, apk_path: Path) -> None:
    plan = plan_package(registry, apk_path, options={"distribution": "alpine/v3.19"})
    assert (plan.format, plan.name, plan.version) == ("alpine", "acme-hello", "1.0.0-r1")
    request = AlpinePackageUploadRequest(**plan.preview_payload())
    assert (request.package_file, request.distribution) == (f"<upload:{APK}>", "alpine/v3.19")


def test_missing_distribution_names_the_flag(registry: FormatRegistry, apk_path: Path) -> None:
    with pytest.raises(OptionError, match="--distribution"):
        plan_package(registry, apk_path)


def test_android_apk_is_not_claimed(registry: FormatRegistry, tmp_path: Path) -> None:
    path = tmp_path / "app-release.apk"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("AndroidManifest.xml", b"\x03\x00\x08\x00")
        archive.writestr("classes.dex", b"dex\n035\0")
    assert registry.get("alpine").recognise(Artifact(path)) is Strength.NONE


def test_apk_tools_v3_package_is_refused_clearly(registry: FormatRegistry, tmp_path: Path) -> None:
    path = tmp_path / "acme-hello-1.0.0-r1.apk"
    path.write_bytes(b"ADBd" + b"\x78\x9c" + b"\0" * 60)
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "alpine"
    with pytest.raises(ArtifactError, match=r"apk-tools v3 \(ADB\).*build a v2 package"):
        plan_package(registry, path, options={"distribution": "alpine/v3.19"})
    other = tmp_path / "notes.bin"
    other.write_bytes(path.read_bytes())
    assert registry.get("alpine").recognise(Artifact(other)) is Strength.NONE


def test_truncated_package_is_rejected(
    registry: FormatRegistry, apk_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / APK
    path.write_bytes(apk_path.read_bytes()[:-60])
    with pytest.raises(ArtifactError, match="truncated") as caught:
        plan_package(registry, path, format_name="alpine", options={"distribution": "alpine/v3.19"})
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("pkginfo", "problem"),
    [
        (b"pkgname = acme\narch = x86_64\n", "without pkgver"),
        (b"pkgname: acme\n", "malformed .PKGINFO line"),
    ],
)
def test_bad_pkginfo_says_what_is_wrong(
    registry: FormatRegistry, tmp_path: Path, pkginfo: bytes, problem: str
) -> None:
    path = make_tar(tmp_path / "bad.apk", {".PKGINFO": pkginfo})
    with pytest.raises(ArtifactError, match=problem):
        registry.get("alpine").read_metadata(Artifact(path))


def test_text_file_forced_as_alpine_is_rejected(
    registry: FormatRegistry, fixtures_dir: Path
) -> None:
    with pytest.raises(ArtifactError, match=r"no \.PKGINFO"):
        plan_package(registry, fixtures_dir / "raw" / "release-notes.txt", format_name="alpine")
