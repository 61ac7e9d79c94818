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


def _write_following(
    assembly: Assembly, digests: PartDigests, number: int, data: bytes, *, fail_at: int = 0
) -> StoredPart | None:
    """Write a part in place in 4 KiB steps, as a request body arrives, with ``digests``
    following it; with ``fail_at``, the write stops there and the part is not stored."""
    assembly.directory.mkdir(parents=True, exist_ok=True)
    offset = assembly.claim(number, len(data), False)
    assert offset is not None
    follow = digests.writing(number, assembly.joined, offset)
    sink = FileSink(assembly.joined, offset=offset, written=follow.written)
    try:
        for start in range(0, fail_at or len(data), 4096):
            sink.write(memoryview(data)[start : start + 4096])
        sink.finish()
    finally:
        assembly.release(number)
    if fail_at:
        follow.failed()
        return None
    part = StoredPart(number, len(data), offset)
    digests.received(part)
    return part


def test_the_front_part_is_hashed_while_it_is_written(tmp_path: Path) -> None:
    pieces = [os.urandom(SIZE) for _ in range(3)] + [os.urandom(100)]
    assembly = Assembly(tmp_path / "up")
    digests = PartDigests(assembly.locate, ["sha256"])
    digests.received(_store(assembly, 2, pieces[1]))  # waits for part 1
    _write_following(assembly, digests, 1, pieces[0])
    _write_following(assembly, digests, 4, pieces[3])  # followed only once 3 is hashed
    _write_following(assembly, digests, 3, pieces[2])
    assert digests.result([1, 2, 3, 4]) == {"sha256": hashlib.sha256(b"".join(pieces)).hexdigest()}


def test_a_followed_part_that_fails_half_way_never_gives_a_wrong_digest(tmp_path: Path) -> None:
    # The first attempt's bytes differ from the second's: had any been kept in the running
    # digest, it would name content the upload does not hold.
    good = [os.urandom(SIZE), os.urandom(SIZE)]
    for _ in range(5):
        assembly = Assembly(tmp_path / f"up-{os.urandom(4).hex()}")
        digests = PartDigests(assembly.locate, ["sha256"])
        assert _write_following(assembly, digests, 1, os.urandom(SIZE), fail_at=SIZE // 2) is None
        _write_following(assembly, digests, 1, good[0])
        digests.received(_store(assembly, 2, good[1]))
        result = digests.result([1, 2])
        assert result in (None, {"sha256": hashlib.sha256(b"".join(good)).hexdigest()})


def test_a_copy_stored_apart_from_the_followed_part_spoils_the_running_digest(
    tmp_path: Path,
) -> None:
    assembly = Assembly(tmp_path / "up")
    digests = PartDigests(assembly.locate, ["sha256"])
    first = os.urandom(SIZE)
    offset = assembly.claim(1, SIZE, False)
    assert offset == 0
    assembly.directory.mkdir(parents=True, exist_ok=True)
    follow = digests.writing(1, assembly.joined, offset)
    sink = FileSink(assembly.joined, offset=offset, written=follow.written)
    sink.write(memoryview(first)[: SIZE // 2])
    # The same part sent again meanwhile goes to a file of its own and is stored first.
    apart = _store(assembly, 1, os.urandom(SIZE))
    assert apart.offset is None
    digests.received(apart)
    sink.write(memoryview(first)[SIZE // 2 :])
    sink.finish()
    assembly.release(1)
    result = digests.result([1])
    expected = hashlib.sha256(assembly.own_file(1).read_bytes()).hexdigest()
    assert result in (None, {"sha256": expected})
