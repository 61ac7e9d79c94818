from __future__ import annotations

import gzip
import io
import lzma
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard
from cloudsmith_api.models import DebPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError, Strength
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry

DEB = "acme-hello_1.0.0-1_all.deb"
DSC = "acme-hello_1.0.0-1.dsc"
CONTROL = b"Package: acme-zst\nVersion: 2:3.1-4\nArchitecture: amd64\nDescription: x\n"


@pytest.fixture
def deb_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "deb"


def ar_archive(members: list[tuple[str, bytes]]) -> bytes:
    out = b"!<arch>\n"
    for name, data in members:
        header = f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(data):<10}`\n"
        out += header.encode() + data + b"\n" * (len(data) % 2)
    return out


def control_tar(control: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("./control")
        info.size = len(control)
        archive.addfile(info, io.BytesIO(control))
    return buffer.getvalue()


def test_plain_ar_archive_is_not_claimed(registry: FormatRegistry, tmp_path: Path) -> None:
    path = tmp_path / "libfoo.a"
    path.write_bytes(ar_archive([("foo.o", b"\x7fELF"), ("debian-binary", b"2.0\n")]))
    assert registry.get("deb").recognise(Artifact(path)) is Strength.NONE


def test_binary_metadata_and_payload(registry: FormatRegistry, deb_dir: Path) -> None:
    plan = plan_package(registry, deb_dir / DEB, options={"distribution": "debian/bookworm"})
    assert (plan.format, plan.name, plan.version) == ("deb", "acme-hello", "1.0.0-1")
    payload = plan.preview_payload()
    assert payload == {"package_file": f"<upload:{DEB}>", "distribution": "debian/bookworm"}
    request = DebPackageUploadRequest(**payload)
    assert request.distribution == "debian/bookworm"


def test_source_package_finds_its_tarballs(registry: FormatRegistry, deb_dir: Path) -> None:
    plan = plan_package(registry, deb_dir / DSC, options={"distribution": "ubuntu/jammy"})
    assert (plan.name, plan.version) == ("acme-hello", "1.0.0-1")
    request = DebPackageUploadRequest(**plan.preview_payload())
    assert request.sources_file == "<upload:acme-hello_1.0.0.orig.tar.gz>"
    assert request.changes_file == "<upload:acme-hello_1.0.0-1.debian.tar.xz>"
    assert plan.upload_paths() == [
        deb_dir / DSC,
        deb_dir / "acme-hello_1.0.0.orig.tar.gz",
        deb_dir / "acme-hello_1.0.0-1.debian.tar.xz",
    ]


def test_clearsigned_dsc_reads_the_same(
    registry: FormatRegistry, deb_dir: Path, tmp_path: Path
) -> None:
    for name in ("acme-hello_1.0.0.orig.tar.gz", "acme-hello_1.0.0-1.debian.tar.xz"):
        shutil.copy(deb_dir / name, tmp_path)
    signed = tmp_path / DSC
    signed.write_text(
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"
        + (deb_dir / DSC).read_text()
        + "-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCgAdFiEE\n-----END PGP SIGNATURE-----\n"
    )
    plan = plan_package(registry, signed, options={"distribution": "debian/bookworm"})
    assert (plan.format, plan.name, plan.version) == ("deb", "acme-hello", "1.0.0-1")
    assert plan.values["changes_file"] == tmp_path / "acme-hello_1.0.0-1.debian.tar.xz"


def test_options_override_and_validate(registry: FormatRegistry, deb_dir: Path) -> None:
    other = deb_dir / "acme-hello_1.0.0-1_source.changes"
    plan = plan_package(
        registry,
        deb_dir / DSC,
        options={
            "distribution": "debian/trixie",
            "component": "contrib",
            "changes_file": str(other),
        },
    )
    request = DebPackageUploadRequest(**plan.preview_payload())
    assert (request.component, request.changes_file) == ("contrib", f"<upload:{other.name}>")


def test_missing_distribution_names_the_flag(registry: FormatRegistry, deb_dir: Path) -> None:
    with pytest.raises(OptionError, match="--distribution") as caught:
        plan_package(registry, deb_dir / DEB)
    assert caught.value.key == "distribution"


def test_zstd_control_archive_is_read(registry: FormatRegistry, tmp_path: Path) -> None:
    path = tmp_path / "acme-zst.deb"
    zstd = zstandard.ZstdCompressor().compress(control_tar(CONTROL))
    path.write_bytes(ar_archive([("debian-binary", b"2.0\n"), ("control.tar.zst", zstd)]))
    info = registry.get("deb").read_metadata(Artifact(path))
    assert (info.name, info.version) == ("acme-zst", "2:3.1-4")


def test_truncated_deb_is_rejected(registry: FormatRegistry, deb_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / DEB
    path.write_bytes((deb_dir / DEB).read_bytes()[:-100])
    assert registry.detect(Artifact(path)).PLUGIN_NAME == "deb"
    with pytest.raises(ArtifactError, match="truncated") as caught:
        plan_package(registry, path, options={"distribution": "debian/bookworm"})
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("members", "problem"),
    [
        ([("debian-binary", b"2.0\n"), ("data.tar.xz", b"")], "no control.tar"),
        (
            [("debian-binary", b"2.0\n"), ("control.tar.gz", b"\x1f\x8bnot gzip")],
            "control.tar.gz inside is corrupt: its gzip data holds no tar archive",
        ),
        (
            [("debian-binary", b"2.0\n"), ("control.tar", control_tar(b"Package: x\n"))],
            "without version",
        ),
        ([("debian-binary", b"2.0\n"), ("control.tar", control_tar(b"no colon\n"))], "unparseable"),
    ],
)
def test_broken_debs_say_what_is_wrong(
    registry: FormatRegistry, tmp_path: Path, members: list[tuple[str, bytes]], problem: str
) -> None:
    path = tmp_path / "broken.deb"
    path.write_bytes(ar_archive(members))
    with pytest.raises(ArtifactError, match=problem):
        registry.get("deb").read_metadata(Artifact(path))


def test_dsc_without_its_tarball_is_rejected(
    registry: FormatRegistry, deb_dir: Path, tmp_path: Path
) -> None:
    shutil.copy(deb_dir / DSC, tmp_path)
    with pytest.raises(
        ArtifactError, match=r"names acme-hello_1\.0\.0\.orig\.tar\.gz, which is not beside it"
    ):
        plan_package(registry, tmp_path / DSC, options={"distribution": "debian/bookworm"})


def test_text_file_forced_as_deb_is_rejected(registry: FormatRegistry, fixtures_dir: Path) -> None:
    with pytest.raises(ArtifactError, match="neither a .deb"):
        plan_package(registry, fixtures_dir / "raw" / "release-notes.txt", format_name="deb")


@pytest.mark.parametrize("compress", [gzip.compress, lzma.compress, lambda data: data])
def test_an_epoch_is_kept_though_the_file_name_drops_it(
    registry: FormatRegistry, tmp_path: Path, compress: Callable[[bytes], bytes]
) -> None:
    # dpkg-deb names the file without the epoch: libfoo_2.3-1_amd64.deb for 1:2.3-1.
    control = b"Package: libfoo\nVersion: 1:2.3-1\nArchitecture: amd64\nDescription: x\n y\n"
    member = {gzip.compress: "control.tar.gz", lzma.compress: "control.tar.xz"}.get(
        compress, "control.tar"
    )
    path = tmp_path / "libfoo_2.3-1_amd64.deb"
    path.write_bytes(
        ar_archive([("debian-binary", b"2.0\n"), (member, compress(control_tar(control)))])
    )
    plan = plan_package(registry, path, options={"distribution": "debian/bookworm"})
    assert (plan.format, plan.name, plan.version) == ("deb", "libfoo", "1:2.3-1")
