"""Each limit of ReadLimits, reached with small limits and small files, says what it is.

The full-size bombs, run as a user would with their memory measured, are in
``tests/reliability/test_bounded_reading.py``; here each limit is shown to hold on its
own, in-process, and the tar is shown to be listed once however many plugins ask.
"""

from __future__ import annotations

import gzip
import io
import lzma
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest
import zstandard

from pubsmith import artifact as artifact_module
from pubsmith.artifact import Artifact, ReadLimits
from pubsmith.errors import ArtifactError, ArtifactLimitError, FormatDetectionError
from pubsmith.registry import FormatRegistry

KiB = 1024
MiB = 1024 * KiB


def tar_bytes(members: dict[str, bytes], *, tar_format: int = tarfile.PAX_FORMAT) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tar_format) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def tgz(path: Path, members: dict[str, bytes], **options: int) -> Path:
    path.write_bytes(gzip.compress(tar_bytes(members, **options), mtime=0))
    return path


def test_a_member_over_the_limit_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    path = tgz(tmp_path / "big.tgz", {"package/package.json": b" " * (64 * KiB)})
    artifact = Artifact(path, ReadLimits(member_bytes=16 * KiB))
    listed = len(artifact.names()) and artifact.budget.unpacked
    with pytest.raises(ArtifactLimitError) as refused:
        artifact.read("package/package.json")
    assert str(refused.value) == (
        f"{path}: package/package.json inside is implausibly large (over 16 KiB); "
        "check where the file came from"
    )
    assert artifact.budget.unpacked == listed  # refused before its data was read


def test_a_lower_limit_for_parsed_documents_applies_to_cached_reads_too(tmp_path: Path) -> None:
    path = tgz(tmp_path / "doc.tgz", {"doc.json": b"[" + b"{}," * 1000 + b"{}]"})
    artifact = Artifact(path)
    assert len(artifact.read("doc.json")) > 2 * KiB  # now cached
    with pytest.raises(ArtifactLimitError, match=r"doc\.json inside is implausibly large"):
        artifact.read("doc.json", limit=2 * KiB)


def test_a_compressed_member_is_capped_while_it_streams(tmp_path: Path) -> None:
    path = tgz(tmp_path / "gem.tar", {"metadata.gz": gzip.compress(b"a" * (64 * KiB))})
    artifact = Artifact(path, ReadLimits(member_bytes=16 * KiB))
    with pytest.raises(ArtifactLimitError, match="metadata.gz inside is implausibly large"):
        artifact.unpack("metadata.gz")
    assert artifact.budget.unpacked < 64 * KiB


@pytest.mark.parametrize("kind", [tarfile.XHDTYPE, tarfile.GNUTYPE_LONGNAME])
def test_a_tar_header_extension_over_the_limit_is_refused_unread(
    tmp_path: Path, kind: bytes
) -> None:
    long_name = "package/" + "n" * (8 * KiB) + ".json"
    tar_format = tarfile.PAX_FORMAT if kind == tarfile.XHDTYPE else tarfile.GNU_FORMAT
    path = tgz(tmp_path / "long.tgz", {long_name: b"{}"}, tar_format=tar_format)
    artifact = Artifact(path, ReadLimits(header_bytes=4 * KiB))
    with pytest.raises(ArtifactLimitError, match=r"has a tar header extension of \d+ bytes"):
        artifact.names()
    assert Artifact(path).names() == [long_name]  # within the default limits, it reads


@pytest.mark.parametrize("container", ["tgz", "zip", "ar"])
def test_the_member_count_is_limited_in_every_kind_of_archive(
    tmp_path: Path, container: str
) -> None:
    members = {f"f{index}": b"" for index in range(11)}
    path = tmp_path / f"many.{container}"
    if container == "tgz":
        tgz(path, members)
    elif container == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            for name in members:
                archive.writestr(name, b"")
    else:
        headers = b"".join(
            f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{0:<10}`\n".encode() for name in members
        )
        path.write_bytes(b"!<arch>\n" + headers)
    with pytest.raises(ArtifactLimitError, match="has more than 10 members"):
        Artifact(path, ReadLimits(members=10)).names()
    assert len(Artifact(path, ReadLimits(members=11)).names()) == 11


def test_duplicate_names_count_as_members(tmp_path: Path) -> None:
    path = tmp_path / "same.tar"
    path.write_bytes(b"".join(tar_bytes({"same": b""})[:512] for _ in range(20)) + bytes(1024))
    with pytest.raises(ArtifactLimitError, match="has more than 10 members"):
        Artifact(path, ReadLimits(members=10)).names()


def test_member_names_are_limited_in_total(tmp_path: Path) -> None:
    path = tgz(tmp_path / "names.tgz", {f"{index:0100d}": b"" for index in range(20)})
    with pytest.raises(ArtifactLimitError, match="member names totalling more than 1 KiB"):
        Artifact(path, ReadLimits(name_bytes=KiB)).names()


def test_what_one_file_unpacks_is_limited_by_a_ratio_of_its_size(tmp_path: Path) -> None:
    path = tgz(tmp_path / "zeros.tgz", {"zeros": bytes(4 * MiB)})
    limits = ReadLimits(unpacked_bytes=MiB, unpacked_ratio=10)
    with pytest.raises(ArtifactLimitError) as refused:
        Artifact(path, limits).names()
    assert "unpacks to more than 1 MiB while its metadata is read" in str(refused.value)
    # A file of the same content but 200 times less compressible is in proportion.
    assert Artifact(path, ReadLimits(unpacked_bytes=MiB, unpacked_ratio=2000)).names() == ["zeros"]


def test_archives_inside_share_one_smaller_budget(tmp_path: Path) -> None:
    info = zstandard.ZstdCompressor().compress(
        tar_bytes({"info/files": bytes(300 * KiB), "info/index.json": b"{}"})
    )
    path = tmp_path / "pkg.conda"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("info-pkg-1.0-0.tar.zst", info)
    artifact = Artifact(path, ReadLimits(nested_bytes=256 * KiB))
    with pytest.raises(ArtifactLimitError) as refused:
        artifact.nested("info-pkg-1.0-0.tar.zst").names()
    assert "info/files inside info-pkg-1.0-0.tar.zst is implausibly large (300 KiB)" in str(
        refused.value
    )
    unlimited = Artifact(path).nested("info-pkg-1.0-0.tar.zst")
    assert unlimited.read("info/index.json") == b"{}"


def test_an_xz_dictionary_beyond_the_decoder_limit_is_refused(tmp_path: Path) -> None:
    data = bytearray(lzma.compress(tar_bytes({"a": b"a"}), preset=0))
    # The block header after the 12-byte stream header: size, flags, the LZMA2 filter
    # (id 0x21, one property byte: the dictionary size), padding, CRC32. 40 asks for 4 GiB.
    block = 12
    header_size = (data[block] + 1) * 4
    property_at = data.index(b"\x21\x01", block) + 2
    data[property_at] = 40
    crc = zlib.crc32(bytes(data[block : block + header_size - 4]))
    data[block + header_size - 4 : block + header_size] = struct.pack("<I", crc)
    path = tmp_path / "huge-dictionary.tar.xz"
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactLimitError, match="xz-compressed with a dictionary over 80 MiB"):
        _ = Artifact(path).kind


def test_a_zstd_window_beyond_the_decoder_limit_is_refused(tmp_path: Path) -> None:
    # A frame asking for a 2 GiB window (window descriptor: exponent 21, log 31), then one
    # raw block of a tar.
    content = tar_bytes({"control": b"Package: x\n"})
    block = struct.pack("<I", (len(content) << 3) | 1)[:3]
    frame = b"\x28\xb5\x2f\xfd" + b"\x00" + bytes([21 << 3]) + block + content
    path = tmp_path / "huge-window.deb"
    ar_header = f"{'control.tar.zst':<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(frame):<10}`\n"
    path.write_bytes(b"!<arch>\n" + ar_header.encode() + frame + b"\n" * (len(frame) % 2))
    with pytest.raises(ArtifactLimitError, match="zstd-compressed with a window over 128 MiB"):
        Artifact(path).nested("control.tar.zst")


def test_a_tar_is_listed_once_however_many_plugins_ask(
    registry: FormatRegistry, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listings: list[object] = []
    real = artifact_module.index_tar

    def counting(*args: object, **kwargs: object) -> object:
        listings.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(artifact_module, "index_tar", counting)
    plugin, _, info = registry.inspect(fixtures_dir / "npm" / "acme-greeting-2.1.0.tgz")
    assert (plugin.PLUGIN_NAME, info.name) == ("npm", "@acme/greeting")
    assert len(listings) == 1


def test_a_listing_that_failed_fails_again_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tgz(tmp_path / "many.tgz", {f"f{index}": b"" for index in range(20)})
    artifact = Artifact(path, ReadLimits(members=10))
    calls: list[object] = []
    real = artifact_module.index_tar
    monkeypatch.setattr(
        artifact_module,
        "index_tar",
        lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs),
    )
    for _ in range(3):
        with pytest.raises(ArtifactLimitError):
            artifact.has("f1")
    assert len(calls) == 1


def test_detection_reports_a_limit_rather_than_not_recognised(
    registry: FormatRegistry, tmp_path: Path
) -> None:
    path = tgz(tmp_path / "many.tgz", {f"package/f{index}": b"" for index in range(20)})
    with pytest.raises(ArtifactLimitError, match="has more than 10 members"):
        registry.detect(Artifact(path, ReadLimits(members=10)))
    notes = tmp_path / "notes.txt"
    notes.write_text("plain text")
    with pytest.raises(FormatDetectionError):
        registry.detect(Artifact(notes))


def test_reading_errors_never_escape_as_internal_exceptions(tmp_path: Path) -> None:
    # Damaged deflate data, cut-off gzip, a corrupt zstd frame: each an ArtifactError.
    zipped = tmp_path / "bad.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", b"x" * 10_000)
    raw = bytearray(zipped.read_bytes())
    raw[40:60] = b"\xff" * 20
    zipped.write_bytes(bytes(raw))
    cut = tmp_path / "cut.tgz"
    cut.write_bytes(gzip.compress(tar_bytes({"a": bytes(100_000)}))[:-30])
    for path, action in [
        (zipped, lambda artifact: artifact.read("a.txt")),
        (cut, lambda artifact: artifact.names()),
    ]:
        with pytest.raises(ArtifactError):
            action(Artifact(path))
