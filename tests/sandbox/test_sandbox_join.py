"""Joining multipart parts: copied by the kernel, hashed from the part files, in order."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from pubsmith.sandbox.bodies import FileSink


def _parts(tmp_path: Path) -> list[bytes]:
    pieces = [os.urandom(5 * 1024 * 1024 + 3), b"", os.urandom(1000), os.urandom(9 * 1024 * 1024)]
    for number, piece in enumerate(pieces, start=1):
        (tmp_path / f"{number}.part").write_bytes(piece)
    return pieces


def _join(tmp_path: Path, count: int) -> tuple[FileSink, dict[str, str]]:
    sink = FileSink(tmp_path / "joined", ("md5", "sha256"))
    for number in range(1, count + 1):
        sink.append_file(tmp_path / f"{number}.part")
    return sink, sink.finish()


def test_parts_are_joined_and_hashed_in_order(tmp_path: Path) -> None:
    pieces = _parts(tmp_path)
    whole = b"".join(pieces)
    sink, digests = _join(tmp_path, len(pieces))
    assert (tmp_path / "joined").read_bytes() == whole
    assert sink.size == len(whole)
    assert digests == {"md5": hashlib.md5(whole).hexdigest(),  # noqa: S324 - the API's checksum
                       "sha256": hashlib.sha256(whole).hexdigest()}


def test_without_an_in_kernel_copy_the_bytes_go_through_a_buffer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> int:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refuse)
    pieces = _parts(tmp_path)
    sink, digests = _join(tmp_path, len(pieces))
    whole = b"".join(pieces)
    assert (tmp_path / "joined").read_bytes() == whole
    assert sink.size == len(whole)
    assert digests["sha256"] == hashlib.sha256(whole).hexdigest()
