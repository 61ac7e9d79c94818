from __future__ import annotations

import struct
from pathlib import Path

import pytest
from cloudsmith_api.models import RpmPackageUploadRequest

from pubsmith import Artifact, ArtifactError, OptionError
from pubsmith.planning import plan_package
from pubsmith.registry import FormatRegistry

BINARY = "acme-hello-1.0.0-1.noarch.rpm"
SOURCE = "acme-hello-1.0.0-1.src.rpm"


@pytest.fixture
def rpm_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "rpm"


def header(entries: list[tuple[int, int, bytes]]) -> bytes:
    """An RPM header structure holding ``(tag, type, data)`` entries."""
    index, store = b"", b""
    for tag, kind, data in entries:
        index += struct.pack(">IIII", tag, kind, len(store), 1)
        store += data
    return (
        b"\x8e\xad\xe8\x01\0\0\0\0" + struct.pack(">II", len(entries), len(store)) + index + store
    )


def rpm_bytes(entries: list[tuple[int, int, bytes]]) -> bytes:
    lead = b"\xed\xab\xee\xdb\x03\x00" + b"\0" * 90
    main = header(entries)
    signature = header([(1000, 4, struct.pack(">I", len(main)))])
    return lead + signature + b"\0" * 4 + main


@pytest.mark.parametrize("name", [BINARY, SOURCE])
def test_metadata_and_payload(registry: FormatRegistry, rpm_dir: Path, name: str) -> None:
    plan = plan_package(registry, rpm_dir / name, options={"distribution": "el/9"})
    assert (plan.format, plan.name, plan.version) == ("rpm", "acme-hello", "1.0.0-1")
    request = RpmPackageUploadRequest(**plan.preview_payload())
    assert (request.package_file, request.distribution) == (f"<upload:{name}>", "el/9")


def test_epoch_is_part_of_the_version(registry: FormatRegistry, tmp_path: Path) -> None:
    path = tmp_path / "epoch.rpm"
    path.write_bytes(
        rpm_bytes(
            [
                (1000, 6, b"acme\0"),
                (1001, 6, b"2.0\0"),
                (1002, 6, b"3.el9\0"),
                (1003, 4, b"\0\0\0\1"),
            ]
        )
    )
    info = registry.get("rpm").read_metadata(Artifact(path))
    assert (info.name, info.version) == ("acme", "1:2.0-3.el9")


def test_options_are_checked(registry: FormatRegistry, rpm_dir: Path) -> None:
    with pytest.raises(OptionError, match="--distribution"):
        plan_package(registry, rpm_dir / BINARY)
    with pytest.raises(OptionError, match="'component'"):
        plan_package(registry, rpm_dir / BINARY, options={"distribution": "el/9", "component": "x"})


def test_truncated_payload_is_rejected(
    registry: FormatRegistry, rpm_dir: Path, tmp_path: Path
) -> None:
    data = (rpm_dir / BINARY).read_bytes()
    path = tmp_path / BINARY
    path.write_bytes(data[:-10])
    with pytest.raises(
        ArtifactError, match=rf"truncated \({len(data) - 10} of {len(data)} bytes\)"
    ) as caught:
        plan_package(registry, path, options={"distribution": "el/9"})
    assert caught.value.path == path


def test_truncated_header_is_rejected(
    registry: FormatRegistry, rpm_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / BINARY
    path.write_bytes((rpm_dir / BINARY).read_bytes()[:200])
    with pytest.raises(ArtifactError, match="truncated inside its RPM header"):
        plan_package(registry, path, options={"distribution": "el/9"})


def test_text_file_forced_as_rpm_is_rejected(registry: FormatRegistry, fixtures_dir: Path) -> None:
    with pytest.raises(ArtifactError, match="not an RPM package"):
        plan_package(registry, fixtures_dir / "raw" / "release-notes.txt", format_name="rpm")


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        ([(1000, 6, b"acme\0"), (1001, 6, b"2.0\0")], "without NAME, VERSION or RELEASE"),
        ([(1000, 6, b"acme-no-terminator")], "malformed header entry for tag 1000"),
        ([(1000, 4, b"\0\0\0\1")], "malformed header entry for tag 1000"),
    ],
)
def test_malformed_headers_say_what_is_wrong(
    registry: FormatRegistry, tmp_path: Path, entries: list[tuple[int, int, bytes]], problem: str
) -> None:
    path = tmp_path / "bad.rpm"
    path.write_bytes(rpm_bytes(entries))
    with pytest.raises(ArtifactError, match=problem):
        registry.get("rpm").read_metadata(Artifact(path))


def test_bad_header_magic_is_corrupt(
    registry: FormatRegistry, rpm_dir: Path, tmp_path: Path
) -> None:
    data = bytearray((rpm_dir / BINARY).read_bytes())
    data[96:100] = b"XXXX"
    path = tmp_path / BINARY
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="bad header magic"):
        registry.get("rpm").read_metadata(Artifact(path))
