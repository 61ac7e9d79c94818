from __future__ import annotations

import bz2
import gzip
import lzma
import os
import zipfile
from pathlib import Path

import pytest

from pubsmith.artifact import Artifact
from pubsmith.errors import ArtifactError
from pubsmith.registry import FormatRegistry
from pubsmith.testing import make_tar
from tests.support.archives import make_ar, make_compressed_tar


@pytest.mark.parametrize("compression", [None, "gz", "bz2", "xz"])
def test_tar_in_any_compression_is_listed_and_read(tmp_path: Path, compression: str | None) -> None:
    members = {"pkg/meta.json": b"{}", "pkg/data": b"x" * 10}
    path = make_compressed_tar(tmp_path / "a.bin", members, compression)
    artifact = Artifact(path)
    assert artifact.kind == "tar"
    assert artifact.names() == ["pkg/meta.json", "pkg/data"]
    assert artifact.read("pkg/data") == b"x" * 10


def test_zip_and_ar_are_recognised_by_content_not_name(tmp_path: Path) -> None:
    zipped = tmp_path / "looks.tar.gz"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("inside.txt", "hi")
    assert Artifact(zipped).kind == "zip"
    assert Artifact(zipped).read_text("inside.txt") == "hi"
    ar = make_ar(tmp_path / "x.zip", {"debian-binary": b"2.0\n", "control.tar.gz": b"abc"})
    assert Artifact(ar).kind == "ar"
    assert Artifact(ar).names() == ["debian-binary", "control.tar.gz"]
    assert Artifact(ar).read("control.tar.gz") == b"abc"


@pytest.mark.parametrize(
    ("content", "compression"),
    [
        (gzip.compress(b"plain text", mtime=0), "gz"),
        (bz2.compress(b"plain text"), "bz2"),
        (lzma.compress(b"plain text"), "xz"),
        (b"plain text", None),
    ],
)
def test_compressed_non_archives_have_no_kind(
    tmp_path: Path, content: bytes, compression: str | None
) -> None:
    path = tmp_path / "f"
    path.write_bytes(content)
    artifact = Artifact(path)
    assert artifact.compression == compression
    assert artifact.kind is None
    assert artifact.names() == []


def test_truncated_archives_raise_naming_the_file(tmp_path: Path) -> None:
    whole = make_tar(tmp_path / "whole.tgz", {"a": os.urandom(50_000), "b": b"tail"})
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(whole.read_bytes()[:20_000])
    with pytest.raises(ArtifactError, match=r"cut\.tgz: is a corrupt or truncated tar archive"):
        Artifact(cut).names()
    ar = make_ar(tmp_path / "pkg.deb", {"debian-binary": b"2.0\n", "data.tar.gz": b"y" * 100})
    short = tmp_path / "short.deb"
    short.write_bytes(ar.read_bytes()[:150])
    with pytest.raises(
        ArtifactError,
        match=r"short\.deb: is a corrupt or truncated ar archive \(it is truncated inside data\.tar\.gz\)",
    ):
        Artifact(short).names()


def test_missing_member_and_non_utf8_text_are_clear_errors(tmp_path: Path) -> None:
    path = make_tar(tmp_path / "a.tgz", {"bin": b"\xff\xfe"})
    with pytest.raises(ArtifactError, match="has no missing.txt inside"):
        Artifact(path).read("missing.txt")
    with pytest.raises(ArtifactError, match="bin inside is not UTF-8 text"):
        Artifact(path).read_text("bin")


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="cannot be read"):
        _ = Artifact(tmp_path / "absent").head


def test_corrupt_deflate_stream_inside_a_zip_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.txt", os.urandom(4096).hex())
    raw = bytearray(path.read_bytes())
    start = raw.index(b"data.txt") + len(b"data.txt")
    for offset in range(start + 10, start + 60):
        raw[offset] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ArtifactError, match=r"bad\.zip: is corrupt: cannot read data\.txt"):
        Artifact(path).read("data.txt")


def test_compressed_garbage_is_called_damaged_not_unrecognised(tmp_path: Path) -> None:
    path = tmp_path / "garbage-1.0.tar.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + bytes(range(256)) * 2)
    artifact = Artifact(path)
    assert artifact.kind is None
    assert artifact.damage is not None
    with pytest.raises(ArtifactError) as caught:
        FormatRegistry.load().detect(artifact)
    assert "is gzip-compressed but its data is damaged" in str(caught.value)
    assert "download or build it again" in str(caught.value)
    # Compressed text that is simply no archive is not damaged: nobody's format.
    text = tmp_path / "notes.txt.gz"
    text.write_bytes(gzip.compress(b"just notes\n"))
    assert Artifact(text).damage is None
