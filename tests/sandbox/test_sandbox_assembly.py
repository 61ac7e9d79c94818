"""Multipart parts: written in place where they fit, joined by a rename, hashed in order."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from pubsmith_sandbox.assembly import Assembly, StoredPart
from pubsmith_sandbox.bodies import FileSink
from pubsmith_sandbox.part_digests import PartDigests

SIZE = 64 * 1024


def _store(assembly: Assembly, number: int, data: bytes, *, accepted: bool = False) -> StoredPart:
    """Store a part as the upload service does: in place when the assembly takes it."""
    assembly.directory.mkdir(parents=True, exist_ok=True)
    offset = assembly.claim(number, len(data), accepted)
    try:
        sink = (
            FileSink(assembly.own_file(number), offset=None)
            if offset is None
            else FileSink(assembly.joined, offset=offset)
        )
        sink.write(memoryview(data))
        sink.finish()
    finally:
        assembly.release(number)
    return StoredPart(number, len(data), offset)


def test_equal_parts_in_any_order_land_in_place_and_join_by_rename(tmp_path: Path) -> None:
    pieces = [os.urandom(SIZE), os.urandom(SIZE), os.urandom(SIZE), os.urandom(100)]
    assembly = Assembly(tmp_path / "up")
    stored = {n: _store(assembly, n, pieces[n - 1]) for n in (2, 4, 1, 3)}
    assert all(part.offset == (part.number - 1) * SIZE for part in stored.values())
    inode = assembly.joined.stat().st_ino
    target = tmp_path / "blob"
    size = assembly.join([stored[n] for n in (1, 2, 3, 4)], target)
    assert target.read_bytes() == b"".join(pieces)
    assert size == 3 * SIZE + 100
    assert target.stat().st_ino == inode  # renamed, not copied


def test_a_part_sent_again_after_acceptance_is_kept_apart_then_copied_into_place(
    tmp_path: Path,
) -> None:
    first, second, again = os.urandom(SIZE), os.urandom(SIZE), os.urandom(SIZE)
    assembly = Assembly(tmp_path / "up")
    _store(assembly, 1, first)
    placed = _store(assembly, 2, second)
    resent = _store(assembly, 2, again, accepted=True)
    assert resent.offset is None
    assert assembly.joined.read_bytes()[SIZE:] == second  # accepted bytes untouched meanwhile
    target = tmp_path / "blob"
    assembly.join([StoredPart(1, SIZE, 0), resent], target)
    assert target.read_bytes() == first + again
    assert placed.offset == SIZE


def test_parts_that_do_not_tile_are_copied_into_a_fresh_file(tmp_path: Path) -> None:
    pieces = [os.urandom(SIZE), os.urandom(100), os.urandom(SIZE // 2)]
    assembly = Assembly(tmp_path / "up")
    stored = [_store(assembly, n, piece) for n, piece in enumerate(pieces, start=1)]
    target = tmp_path / "blob"
    assembly.join(stored, target)
    assert target.read_bytes() == b"".join(pieces)


def test_a_bigger_part_or_one_of_unknown_length_is_kept_apart(tmp_path: Path) -> None:
    assembly = Assembly(tmp_path / "up", part_size=SIZE)
    assert assembly.claim(2, SIZE + 1, accepted=False) is None
    assert assembly.claim(2, None, accepted=False) is None
    assert assembly.claim(2, SIZE, accepted=False) == SIZE
    assert assembly.claim(2, SIZE, accepted=False) is None  # already being written in place


def test_a_single_part_kept_apart_becomes_the_file(tmp_path: Path) -> None:
    assembly = Assembly(tmp_path / "up")
    data = os.urandom(1000)
    assembly.directory.mkdir()
    assembly.own_file(1).write_bytes(data)
    target = tmp_path / "blob"
    assert assembly.join([StoredPart(1, 1000, None)], target) == 1000
    assert target.read_bytes() == data


def test_without_an_in_kernel_copy_the_bytes_go_through_a_buffer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> int:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    pieces = [os.urandom(SIZE), os.urandom(300), os.urandom(SIZE)]
    assembly = Assembly(tmp_path / "up")
    stored = [_store(assembly, n, piece) for n, piece in enumerate(pieces, start=1)]
    monkeypatch.setattr(os, "copy_file_range", refuse)
    target = tmp_path / "blob"
    assembly.join(stored, target)
    assert target.read_bytes() == b"".join(pieces)


def test_a_restarted_sandbox_finds_the_part_size_from_stored_offsets(tmp_path: Path) -> None:
    parts = [StoredPart(3, SIZE, 2 * SIZE), StoredPart(1, SIZE, None)]
    assert Assembly.resumed(tmp_path, parts).part_size == SIZE
    assert Assembly.resumed(tmp_path, [StoredPart(1, 77, 0)]).part_size == 77
    assert Assembly.resumed(tmp_path, [StoredPart(1, 77, None)]).part_size is None


def test_parts_are_hashed_in_order_whatever_order_they_arrive_in(tmp_path: Path) -> None:
    pieces = [os.urandom(SIZE) for _ in range(5)]
    assembly = Assembly(tmp_path / "up")
    digests = PartDigests(assembly.locate, ["md5", "sha256"])
    for number in (3, 1, 5, 2, 4):
        digests.received(_store(assembly, number, pieces[number - 1]))
    whole = b"".join(pieces)
    assert digests.result([1, 2, 3, 4, 5]) == {
        "md5": hashlib.md5(whole).hexdigest(),  # noqa: S324 - the API's checksum
        "sha256": hashlib.sha256(whole).hexdigest(),
    }


def test_a_part_replaced_after_hashing_or_a_gap_leaves_hashing_to_completion(
    tmp_path: Path,
) -> None:
    assembly = Assembly(tmp_path / "up")
    part = _store(assembly, 1, os.urandom(SIZE))
    replaced = PartDigests(assembly.locate, ["sha256"])
    replaced.received(part)
    replaced.wait()
    replaced.received(part)
    assert replaced.result([1]) is None
    gap = PartDigests(assembly.locate, ["sha256"])
    gap.received(part)
    gap.received(StoredPart(3, SIZE, 0))
    assert gap.result([1, 3]) is None
    whole = PartDigests(assembly.locate, ["sha256"])
    whole.received(part)
    assert whole.result([1]) == {"sha256": hashlib.sha256(assembly.joined.read_bytes()).hexdigest()}
