"""pubsmith's own zip, tar and ar readers list and read what the standard library does.

``Artifact`` reads archives without ``zipfile`` and ``tarfile`` (which cannot be bounded),
so each layout those modules understand is checked against them here: every fixture, and
the variants real archives use (pax and GNU long names, ustar prefixes, v7 headers,
zip64, data descriptors, a stub before the zip, links).
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import struct
import tarfile
import zipfile
from pathlib import Path

import pytest

from pubsmith.artifact import Artifact
from pubsmith.errors import ArtifactError

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted(path for path in (ROOT / "fixtures").rglob("*") if path.is_file())
LONG = "deeply/" * 30 + "nested-file-name-longer-than-one-hundred-bytes.txt"


def standard_view(path: Path) -> tuple[list[str], dict[str, bytes]]:
    """Names in archive order and regular members' bytes, as zipfile or tarfile read them."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = list(dict.fromkeys(archive.namelist()))
            contents = {info.filename: archive.read(info) for info in archive.infolist()}
            return names, {name: data for name, data in contents.items() if not name.endswith("/")}
    with tarfile.open(path) as archive:
        members = archive.getmembers()
        names = list(dict.fromkeys(member.name for member in members))
        contents = {}
        for member in members:
            extracted = archive.extractfile(member) if member.isfile() else None
            if extracted is not None:
                contents[member.name] = extracted.read()
        return names, contents


def assert_reads_like_the_standard_library(path: Path) -> None:
    names, contents = standard_view(path)
    artifact = Artifact(path)
    assert artifact.names() == names
    for name, data in contents.items():
        assert artifact.read(name) == data, name


@pytest.mark.parametrize(
    "path", [path for path in FIXTURES if Artifact(path).kind in ("zip", "tar")], ids=str
)
def test_every_fixture_archive_reads_as_the_standard_library_reads_it(path: Path) -> None:
    assert_reads_like_the_standard_library(path)


def tar_with(path: Path, tar_format: int, mode: str = "w:gz") -> Path:
    members = {"short.txt": b"short", LONG: b"long name", "pkg/" + "x" * 120: b"prefix"}
    with tarfile.open(path, mode, format=tar_format) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        folder = tarfile.TarInfo("pkg")
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
        link = tarfile.TarInfo("pkg/link.txt")
        link.type, link.linkname = tarfile.SYMTYPE, "../short.txt"
        archive.addfile(link)
        hard = tarfile.TarInfo("hard.txt")
        hard.type, hard.linkname = tarfile.LNKTYPE, LONG
        archive.addfile(hard)
    return path


@pytest.mark.parametrize(
    ("tar_format", "mode"),
    [
        (tarfile.PAX_FORMAT, "w:gz"),
        (tarfile.GNU_FORMAT, "w:bz2"),
        (tarfile.PAX_FORMAT, "w:xz"),
        (tarfile.GNU_FORMAT, "w"),
    ],
    ids=["pax-gz", "gnu-bz2", "pax-xz", "gnu-plain"],
)
def test_long_names_prefixes_and_links_read_like_tarfile(
    tmp_path: Path, tar_format: int, mode: str
) -> None:
    path = tar_with(tmp_path / "long.tar", tar_format, mode)
    assert_reads_like_the_standard_library(path)
    artifact = Artifact(path)
    # Links read as what they point at, as tarfile's extractfile does.
    assert artifact.read("pkg/link.txt") == b"short"
    assert artifact.read("hard.txt") == b"long name"


def test_a_ustar_prefix_joins_the_name(tmp_path: Path) -> None:
    name = "a" * 120 + "/member.txt"
    path = tmp_path / "ustar.tar"
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as archive:
        info = tarfile.TarInfo(name)
        info.size = 2
        archive.addfile(info, io.BytesIO(b"ok"))
    assert Artifact(path).names() == [name]
    assert Artifact(path).read(name) == b"ok"


def test_a_v7_tar_without_magic_is_read(tmp_path: Path) -> None:
    header = bytearray(tarfile.TarInfo("old.txt").tobuf(format=tarfile.USTAR_FORMAT))
    header[124:136] = b"%011o\0" % 3
    header[257:265] = bytes(8)  # no ustar magic, no version
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\0 " % sum(header)
    raw = bytes(header) + b"old".ljust(512, b"\0") + bytes(1024)
    path = tmp_path / "v7.tar.gz"
    path.write_bytes(gzip.compress(raw))
    assert Artifact(path).kind == "tar"
    assert Artifact(path).read("old.txt") == b"old"


def test_zip64_data_descriptors_and_a_stub_before_the_zip_are_read(tmp_path: Path) -> None:
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("forced-zip64.txt", "w", force_zip64=True) as member:
            member.write(b"zip64 sizes")
        archive.writestr("stored.txt", b"stored", compress_type=zipfile.ZIP_STORED)
        archive.writestr("bzip2.txt", b"b" * 1000, compress_type=zipfile.ZIP_BZIP2)
        archive.writestr("lzma.txt", b"l" * 1000, compress_type=zipfile.ZIP_LZMA)
    # A launcher script before the zip, as self-running jars have: offsets shift.
    stubbed = tmp_path / "stubbed.jar"
    stubbed.write_bytes(b'#!/bin/sh\nexec java -jar "$0"\n' + plain.read_bytes())
    # Written to an unseekable file, members carry their sizes in data descriptors.
    streamed = tmp_path / "streamed.zip"
    buffer = io.BytesIO()
    unseekable = _Unseekable(buffer)
    with zipfile.ZipFile(unseekable, "w", zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        archive.writestr("described.txt", b"after the data")
    streamed.write_bytes(buffer.getvalue())
    for path in (plain, stubbed, streamed):
        assert_reads_like_the_standard_library(path)


class _Unseekable(io.RawIOBase):
    def __init__(self, target: io.BytesIO) -> None:
        self._target = target

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        return self._target.write(data)

    def tell(self) -> int:
        return self._target.tell()

    def seekable(self) -> bool:
        return False


def test_hardlinks_and_symlinks_read_their_targets_and_a_dangling_one_is_named(
    tmp_path: Path,
) -> None:
    path = tmp_path / "links.tgz"
    with tarfile.open(path, "w:gz") as archive:
        data = tarfile.TarInfo("package/real.json")
        data.size = 2
        archive.addfile(data, io.BytesIO(b"{}"))
        for name, kind, target in [
            ("package/hard.json", tarfile.LNKTYPE, "package/real.json"),
            ("package/soft.json", tarfile.SYMTYPE, "real.json"),
            ("package/package.json", tarfile.SYMTYPE, "missing.json"),
            ("package/loop-a", tarfile.SYMTYPE, "loop-b"),
            ("package/loop-b", tarfile.SYMTYPE, "loop-a"),
            ("package/escape", tarfile.SYMTYPE, "../../etc/passwd"),
        ]:
            link = tarfile.TarInfo(name)
            link.type, link.linkname = kind, target
            archive.addfile(link)
    artifact = Artifact(path)
    assert artifact.read("package/hard.json") == artifact.read("package/soft.json") == b"{}"
    with pytest.raises(ArtifactError) as dangling:
        artifact.read("package/package.json")
    assert str(dangling.value) == (
        f"{path}: package/package.json inside is a link to missing.json, which is not in "
        "the archive; rebuild it with the file the link points to"
    )
    with pytest.raises(ArtifactError, match="package/loop-a inside is a link in a loop"):
        artifact.read("package/loop-a")
    with pytest.raises(ArtifactError, match=r"is a link to \.\./\.\./etc/passwd, which is not in"):
        artifact.read("package/escape")


def test_a_sparse_member_is_named_not_misread(tmp_path: Path) -> None:
    info = tarfile.TarInfo("disk.img")
    info.type, info.size = tarfile.GNUTYPE_SPARSE, 512
    path = tmp_path / "sparse.tar"
    path.write_bytes(info.tobuf(format=tarfile.GNU_FORMAT) + bytes(512) + bytes(1024))
    artifact = Artifact(path)
    assert artifact.names() == ["disk.img"]
    with pytest.raises(ArtifactError, match="cannot read disk.img inside: it uses GNU sparse"):
        artifact.read("disk.img")


def test_an_encrypted_zip_member_is_named(tmp_path: Path) -> None:
    path = tmp_path / "secret.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("secret.txt", b"hidden")
    raw = bytearray(path.read_bytes())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.index(signature)
        raw[at + flags_at] |= 1  # the "encrypted" flag bit
    path.write_bytes(bytes(raw))
    with pytest.raises(ArtifactError, match="cannot read secret.txt inside: it uses encryption"):
        Artifact(path).read("secret.txt")


def test_a_zip_member_that_lies_about_its_size_fails_its_crc(tmp_path: Path) -> None:
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.json", b"{}" + b" " * 100_000)
    raw = bytearray(path.read_bytes())
    # Both headers now say 10 bytes; the deflate stream still holds 100 kB.
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.index(signature)
        raw[at + size_at : at + size_at + 4] = struct.pack("<I", 10)
    path.write_bytes(bytes(raw))
    artifact = Artifact(path)
    with pytest.raises(ArtifactError, match="cannot read meta.json inside .its data fails the CRC"):
        artifact.read("meta.json")
    assert artifact.budget.unpacked <= 10  # it stopped at the declared size


def test_ar_members_are_listed_and_read(tmp_path: Path) -> None:
    deb = ROOT / "fixtures" / "deb" / "acme-hello_1.0.0-1_all.deb"
    artifact = Artifact(deb)
    assert artifact.names()[:1] == ["debian-binary"]
    assert artifact.read("debian-binary") == b"2.0\n"
    copy = tmp_path / "copy.deb"
    shutil.copy(deb, copy)
    assert Artifact(copy).nested("data.tar.xz").names()


def test_a_damaged_tar_header_mid_archive_is_corrupt_not_the_end(tmp_path: Path) -> None:
    path = tmp_path / "damaged.tar"
    with tarfile.open(path, "w") as archive:
        for name in ("first.txt", "second.txt"):
            info = tarfile.TarInfo(name)
            info.size = 1
            archive.addfile(info, io.BytesIO(b"x"))
    raw = bytearray(path.read_bytes())
    raw[1024 + 10] ^= 0xFF  # inside the second header's name
    path.write_bytes(bytes(raw))
    with pytest.raises(ArtifactError, match="corrupt or truncated tar archive .the header after 1"):
        Artifact(path).names()


def test_a_plain_tar_cut_between_members_is_truncated_not_shorter(tmp_path: Path) -> None:
    # A .gem cut at a header boundary: every header left is whole, only the end is missing.
    whole = tmp_path / "whole.gem"
    with tarfile.open(whole, "w", format=tarfile.USTAR_FORMAT) as archive:
        for name in ("metadata.gz", "data.tar.gz", "checksums.yaml.gz"):
            info = tarfile.TarInfo(name)
            info.size = 600
            archive.addfile(info, io.BytesIO(b"x" * 600))
    assert Artifact(whole).names() == ["metadata.gz", "data.tar.gz", "checksums.yaml.gz"]
    cut = tmp_path / "cut.gem"
    cut.write_bytes(whole.read_bytes()[: 2 * (512 + 1024)])
    with pytest.raises(
        ArtifactError,
        match=r"cut\.gem: is a corrupt or truncated tar archive \(it ends after data\.tar\.gz "
        "without the end-of-archive block",
    ):
        Artifact(cut).names()


def test_a_compressed_tar_without_an_end_block_is_whole(tmp_path: Path) -> None:
    # abuild writes each part of an apk so; a cut compressed tar fails to decompress instead.
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        info = tarfile.TarInfo(".PKGINFO")
        info.size = 4
        archive.addfile(info, io.BytesIO(b"x = y"[:4]))
    path = tmp_path / "part.tar.gz"
    path.write_bytes(gzip.compress(buffer.getvalue()[:1024]))
    assert Artifact(path).names() == [".PKGINFO"]


def test_random_garbage_after_a_gzip_magic_is_no_archive(tmp_path: Path) -> None:
    path = tmp_path / "noise.tgz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + os.urandom(2000))
    assert Artifact(path).kind is None
    assert Artifact(path).names() == []
